"""The one way the portal queues Celery tasks: after commit, and never lost.

A write that committed has happened, whatever the broker says. So a task is
queued after the transaction commits (`enqueue_on_commit`), and if the broker
cannot take it — Redis down, a network cut — the task is written to the
outbox (`portal.models.TaskOutbox`) and the request still succeeds. The beat
job `portal.tasks.resend_outbox` and `manage.py resend_tasks` send pending
ones again once the broker is back; every task is idempotent, so one that
was in fact delivered twice does nothing new.

After a failure the broker is left alone for a few seconds: during an outage
each write goes straight to the outbox instead of waiting on a dead socket.
"""

import logging
import threading
import time

from celery import current_app
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 10
# What a broker that cannot be reached raises; anything else is the task's own failure.
_BROKER_DOWN = (OperationalError, RedisError, OSError)
# One quick retry: a broker that is really down is not waited for.
_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


class _Broker:
    lock = threading.Lock()
    down_until = 0.0


def task_name(task):
    return task if isinstance(task, str) else task.name


class _EnqueueLater:
    """The on-commit callback; it names its task, for logs and tests."""

    def __init__(self, task, args, kwargs):
        self.task = task_name(task)
        self.args = args
        self.kwargs = kwargs

    def __call__(self):
        enqueue(self.task, *self.args, **self.kwargs)

    def __repr__(self):
        return f"<enqueue {self.task}{self.args}>"


def enqueue_on_commit(task, *args, **kwargs):
    """Queue `task` (a task or its dotted name) once the current transaction commits."""
    transaction.on_commit(_EnqueueLater(task, args, kwargs))


def enqueue(task, *args, countdown=None, **kwargs):
    """Queue `task` now; if the broker refuses it, keep it in the outbox. Returns True if queued."""
    name = task_name(task)
    if time.monotonic() < _Broker.down_until:
        _keep(name, args, kwargs, "broker unavailable (not tried again yet)")
        return False
    try:
        _send(name, args, kwargs, countdown)
    except Exception as error:  # any failure to hand the task over: keep it
        if isinstance(error, _BROKER_DOWN):
            with _Broker.lock:
                _Broker.down_until = time.monotonic() + RETRY_SECONDS
            logger.warning("could not queue %s: %s; kept in the outbox", name, error)
        else:  # without a broker the task runs here, and this is its own failure
            logger.exception("task %s failed; kept in the outbox", name)
        _keep(name, args, kwargs, str(error))
        return False
    return True


def _send(name, args, kwargs, countdown=None):
    options = {"retry": True, "retry_policy": _RETRY_POLICY}
    if countdown:
        options["countdown"] = countdown
    _task(name).apply_async(args=list(args), kwargs=kwargs, **options)


def _task(name):
    try:
        return current_app.tasks[name]
    except KeyError:  # its module not imported yet in this process; the name is its dotted path
        return import_string(name)


def _keep(name, args, kwargs, error):
    from portal.models import TaskOutbox

    TaskOutbox.objects.create(task=name, args=list(args), kwargs=kwargs, last_error=error[:300])


def resend_pending(limit=500):
    """Send the outbox's pending tasks, oldest first; returns (sent, still pending)."""
    from portal.models import TaskOutbox

    sent = 0
    for entry in TaskOutbox.objects.pending().order_by("created_at", "pk")[:limit]:
        # Claim the row first: 0 rows changed means another run has it.
        if not TaskOutbox.objects.pending().filter(pk=entry.pk).update(sent_at=timezone.now()):
            continue
        try:
            _send(entry.task, entry.args, entry.kwargs)
        except Exception as error:
            TaskOutbox.objects.filter(pk=entry.pk).update(
                sent_at=None, attempts=entry.attempts + 1, last_error=str(error)[:300]
            )
            logger.warning("outbox: %s still cannot be queued: %s", entry.task, error)
            break  # the broker is still away; the next run tries again
        sent += 1
    with _Broker.lock:
        if sent:
            _Broker.down_until = 0.0
    return sent, TaskOutbox.objects.pending().count()
