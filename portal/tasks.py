import datetime

from axes.models import AccessAttempt
from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task
def housekeeping():
    """Drop expired sessions and stale login-failure records; safe to run twice."""
    now = timezone.now()
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    attempts, _ = AccessAttempt.objects.filter(attempt_time__lt=now - datetime.timedelta(days=30)).delete()
    return {"sessions": sessions, "attempts": attempts}
