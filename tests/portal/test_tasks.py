import datetime

from axes.models import AccessAttempt
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from portal.tasks import housekeeping


def test_housekeeping_drops_only_what_expired_and_is_safe_to_run_twice(db):
    live = SessionStore()
    live.create()
    dead = SessionStore()
    dead.create()
    Session.objects.filter(session_key=dead.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(days=1)
    )
    old = AccessAttempt.objects.create(
        username="x",
        ip_address="10.0.0.1",
        failures_since_start=3,
        user_agent="t",
        path_info="/",
        get_data="",
        post_data="",
    )
    AccessAttempt.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - datetime.timedelta(days=40))
    AccessAttempt.objects.create(
        username="y",
        ip_address="10.0.0.2",
        failures_since_start=1,
        user_agent="t",
        path_info="/",
        get_data="",
        post_data="",
    )

    first = housekeeping.delay().get()
    second = housekeeping.delay().get()

    assert first == {"sessions": 1, "attempts": 1}
    assert second == {"sessions": 0, "attempts": 0}
    assert Session.objects.filter(session_key=live.session_key).exists()
    assert AccessAttempt.objects.filter(username="y").exists()
