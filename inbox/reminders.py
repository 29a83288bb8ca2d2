"""Reminders run by beat: each is a notification with a key of its own, so a rerun reminds nobody twice."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from inbox.models import Kind
from inbox.services import Note, notifications_write
from volunteers.selectors import signups_starting_between
from wishes import selectors as wish_selectors


def _day_bounds(day):
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def remind_activities(*, now=None):
    """Volunteers signed up for an activity starting tomorrow (local time). Returns how many were told."""
    now = now or timezone.now()
    start, end = _day_bounds(timezone.localdate(now) + datetime.timedelta(days=1))
    notes = []
    for signup in signups_starting_between(start, end):
        activity, user = signup.activity, signup.volunteer.user
        notes.append(
            Note(
                key=f"{Kind.ACTIVITY_REMINDER}:{activity.pk}:{user.pk}",
                recipient=user,
                params={
                    "title": activity.title[:30],
                    "time": timezone.localtime(activity.starts_at).strftime("%H:%M"),
                    "place": activity.place[:30],
                },
                link=reverse("volunteers:activity_detail", args=[activity.pk]),
                grid_id=activity.community_id,
            )
        )
    return len(notifications_write(kind=Kind.ACTIVITY_REMINDER, notes=notes, now=now))


def remind_claims(*, now=None):
    """Claimants of wishes wanted within INBOX_CLAIM_REMINDER_DAYS that are not fulfilled yet."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    claims = list(
        wish_selectors.claims_due(today, today + datetime.timedelta(days=settings.INBOX_CLAIM_REMINDER_DAYS))
    )
    users = wish_selectors.claimant_users(claims)
    notes = [
        Note(
            # Once per claim and wanted-by date: a date moved later reminds again.
            key=f"{Kind.CLAIM_DUE}:{claim.pk}:{claim.wish.wanted_by:%Y%m%d}:{user.pk}",
            recipient=user,
            params={"text": claim.wish.shown_text[:20], "date": f"{claim.wish.wanted_by:%Y-%m-%d}"},
            link=reverse("wishes:claim_detail", args=[claim.pk]),
            grid_id=claim.wish.grid_id,
        )
        for claim in claims
        for user in users.get(claim.pk, [])
    ]
    return len(notifications_write(kind=Kind.CLAIM_DUE, notes=notes, now=now))
