"""Long work in the background, with progress, for whoever started it: the kernel's job runner.

An app registers a kind of job with `@job_kind("reports.pdf")` in its own
`jobs.py` (found in the app registry, like `todo.py`); the handler gets the
`Job` and a `progress(percent, message)` callback and returns what it made:
`JobFile(name, content)`, a private file, or `JobPage(url)`, a page that shows it. A page starts a job with `job_start(...)` and
redirects to `/jobs/ID/`, which shows the progress and, when done, the link
to the file.

At least once, never twice over:

- the job row is written in the request's transaction and the task is queued
  after commit through `portal.queue` (so a broker outage leaves it in the
  task outbox, not lost);
- tasks are acknowledged late (`acks_late`, `reject_on_worker_lost`): a worker
  that dies mid-job has its task delivered again;
- every step is keyed by the job: the run claims the row with a conditional
  UPDATE (a finished job is left alone), writes its file under a path named
  by the job (a second run overwrites it, never adds one) and finishes with a
  conditional UPDATE; a job already done does nothing new.

With the zero-setup default (eager Celery) the job runs inside the request
that started it, after commit, and the page it redirects to shows the result.
"""

import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from portal.access import staff_over
from portal.queue import enqueue_on_commit

logger = logging.getLogger(__name__)

TASK = "portal.tasks.run_job"
_KINDS = {}


@dataclass(frozen=True)
class JobFile:
    """A job's result: a file to download."""

    name: str  # the download's file name
    content: bytes


@dataclass(frozen=True)
class JobPage:
    """A job's result: a page of the portal that shows what it made (a report built)."""

    url: str


class JobRefused(Exception):
    """The work cannot be done (its subject is gone, the input is wrong): the job fails with this message."""


def job_kind(name):
    """Register the handler of one kind of job: handler(job, progress) -> JobFile."""

    def register(handler):
        _KINDS[name] = handler
        return handler

    return register


def _handler(kind):
    if kind not in _KINDS:
        autodiscover_modules("jobs")
    return _KINDS[kind]


def job_start(*, kind, owner, title, params=None, scope=None, view_perm="", key="", back=""):
    """Start a job (after the current transaction commits), or return the owner's same job.

    `back` is the portal page the job was asked for from; the job's page links to it.

    With a `key`, a job of the owner with that key that is still queued or
    running, or done with its file, is returned instead of starting another:
    reloading the page or clicking twice does the work once.
    """
    from portal.models import Job

    with transaction.atomic():
        if key:
            same = Job.objects.filter(owner=owner, kind=kind, key=key).exclude(status=Job.Status.FAILED)
            existing = same.order_by("-created_at").first()
            if existing is not None:
                return existing
        job = Job.objects.create(
            kind=kind,
            title=title[:200],
            params={**(params or {}), **({"back": back} if back else {})},
            key=key[:200],
            owner=owner,
            scope=scope,
            view_perm=view_perm,
        )
        enqueue_on_commit(TASK, str(job.pk))
    return job


def job_visible_to(user, job):
    """Who started it; or staff over its node holding the permission its result needs."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if job.owner_id == user.pk:
        return True
    if job.scope_id is None:
        return bool(user.is_superuser)
    return staff_over(user, job.scope, job.view_perm or None)


def job_run(job_id):
    """Run a job once to its end; a job that is finished already is left alone (returns False)."""
    from portal.models import Job

    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status__in=(Job.Status.QUEUED, Job.Status.RUNNING)).update(
        status=Job.Status.RUNNING, started_at=now, attempts=F("attempts") + 1, message=""
    )
    if not claimed:
        return False  # done, failed or gone: a redelivered task does nothing new
    job = Job.objects.select_related("owner", "scope").get(pk=job_id)

    def progress(percent, message=""):
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
            progress=max(0, min(int(percent), 99)), message=str(message)[:300]
        )

    try:
        made = _handler(job.kind)(job, progress)
    except JobRefused as refused:
        _fail(job, str(refused))
        return True
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _fail(job, _("生成失败，请稍后再试；如果一再失败，请联系管理员。"))
        return True
    _finish(job, made)
    return True


def _finish(job, made):
    from portal.models import Job

    if isinstance(made, JobPage):
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
            status=Job.Status.DONE,
            progress=100,
            message="",
            result_url=made.url[:300],
            finished_at=timezone.now(),
        )
        return
    storage = job.result.storage
    path = job.result.field.generate_filename(job, made.name)
    if storage.exists(path):  # an earlier run of this job got this far: replace its file
        storage.delete(path)
    saved = storage.save(path, ContentFile(made.content))
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=Job.Status.DONE,
        progress=100,
        message="",
        result=saved,
        result_name=made.name[:200],
        finished_at=timezone.now(),
    )


def _fail(job, message):
    from portal.models import Job

    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=Job.Status.FAILED, message=message[:300], finished_at=timezone.now()
    )


def jobs_tidy(*, now=None, keep_days=None, stuck_after=None, max_attempts=3):
    """Housekeeping: queue stuck jobs again (or fail them after `max_attempts`), drop old ones with their files.

    A job's files are its result and the private files named in its `params["files"]`.

    A job still running after the hard time limit lost its worker without a
    redelivery (a broker flushed, a message expired); one still queued that long
    lost its task. Both are queued again: the run is idempotent.
    """
    import datetime

    from django.conf import settings

    from portal.models import Job
    from portal.queue import enqueue

    now = now or timezone.now()
    keep_days = keep_days or settings.JOB_KEEP_DAYS
    stuck_after = stuck_after or datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 5 * 60)
    stuck = Job.objects.unfinished().filter(created_at__lt=now - stuck_after, started_at__isnull=True) | (
        Job.objects.filter(status=Job.Status.RUNNING, started_at__lt=now - stuck_after)
    )
    revived = failed = 0
    for job in stuck.order_by("created_at"):
        if job.attempts >= max_attempts:
            failed += Job.objects.filter(pk=job.pk, status=job.status).update(
                status=Job.Status.FAILED,
                message=_("生成失败，请稍后再试；如果一再失败，请联系管理员。"),
                finished_at=now,
            )
            continue
        # Back to the queue, so that the next run claims it afresh.
        if Job.objects.filter(pk=job.pk, status=job.status).update(status=Job.Status.QUEUED, started_at=None):
            enqueue(TASK, str(job.pk))
            revived += 1
    old = Job.objects.filter(finished_at__lt=now - datetime.timedelta(days=keep_days))
    removed = 0
    for job in old.exclude(status__in=(Job.Status.QUEUED, Job.Status.RUNNING)).iterator():
        if job.result:
            job.result.storage.delete(job.result.name)
        for name in job.params.get("files", []):  # private files the job kept (an import's upload)
            job.result.storage.delete(name)
        job.delete()
        removed += 1
    return {"revived": revived, "failed": failed, "removed": removed}
