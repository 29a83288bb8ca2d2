import datetime

from axes.models import AccessAttempt
from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from portal import jobs, queue
from portal.models import TaskOutbox

# Sent outbox rows are kept this long, to see what an outage held back.
OUTBOX_KEEP_DAYS = 7


@shared_task
def housekeeping():
    """Drop expired sessions and stale login-failure records; safe to run twice."""
    now = timezone.now()
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    attempts, _ = AccessAttempt.objects.filter(attempt_time__lt=now - datetime.timedelta(days=30)).delete()
    return {"sessions": sessions, "attempts": attempts}


@shared_task
def resend_outbox():
    """Queue again the tasks that could not be queued when the broker was down; safe to run twice."""
    sent, pending = queue.resend_pending()
    cutoff = timezone.now() - datetime.timedelta(days=OUTBOX_KEEP_DAYS)
    TaskOutbox.objects.filter(sent_at__lt=cutoff).delete()
    return {"sent": sent, "pending": pending}


@shared_task
def run_job(job_id):
    """Run one background job (portal.jobs); a job delivered again after it finished does nothing."""
    return jobs.job_run(job_id)


@shared_task
def tidy_jobs():
    """Queue again background jobs lost with their worker, drop old ones; safe to run twice."""
    return jobs.jobs_tidy()
