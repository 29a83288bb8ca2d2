"""portal.queue: tasks are queued after commit and kept in the outbox when they cannot be."""

from celery import shared_task

from portal import queue
from portal.models import TaskOutbox

RUNS = []


@shared_task
def record_run(value):
    RUNS.append(value)


@shared_task
def always_fails():
    raise RuntimeError("the SMS gateway said no")


def test_a_task_is_queued_only_once_the_write_commits(db, django_capture_on_commit_callbacks):
    RUNS.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue.enqueue_on_commit(record_run, 7)
    assert RUNS == [] and [c.task for c in callbacks] == [record_run.name]
    callbacks[0]()
    assert RUNS == [7]
    assert not TaskOutbox.objects.exists()


def test_a_task_that_fails_in_process_is_kept_without_holding_back_the_next(db):
    RUNS.clear()
    assert queue.enqueue(always_fails) is False
    kept = TaskOutbox.objects.pending().get()
    assert kept.task == always_fails.name and "SMS gateway" in kept.last_error
    # Not a broker outage: the next task is still sent at once.
    assert queue.enqueue(record_run, 8) is True
    assert RUNS == [8]
