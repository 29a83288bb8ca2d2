"""Contacts, reminders and what volunteers and organisers owe next (read by the inbox)."""

import datetime

from django.db.models import Exists, OuterRef, Q

from portal.access import visible
from volunteers.access import volunteer_of
from volunteers.models import (
    Activity,
    ServiceRecord,
    SignUp,
    TeamMembership,
    Volunteer,
)
from volunteers.selectors.activities import my_signups


def phones_of_users(users):
    """{user pk: phone} from the volunteer records of these users, where one has a phone."""
    ids = [u.pk for u in users]
    if not ids:
        return {}
    return dict(Volunteer.objects.filter(user_id__in=ids).exclude(phone="").values_list("user_id", "phone"))


def signups_starting_between(start, end):
    """Active sign-ups (with volunteer and user) for activities starting in [start, end), not cancelled."""
    return (
        SignUp.objects.filter(
            status=SignUp.Status.ACTIVE,
            activity__starts_at__gte=start,
            activity__starts_at__lt=end,
            volunteer__user__isnull=False,
        )
        .exclude(activity__status=Activity.Status.CANCELLED)
        .select_related("activity__community", "volunteer__user")
        .order_by("activity_id", "pk")
    )


def upcoming_signups(volunteer, now, days):
    """The volunteer's places in activities that end after now and start within `days`."""
    return my_signups(volunteer, now).filter(activity__starts_at__lt=now + datetime.timedelta(days=days))


def hours_to_verify(user, now):
    """Ended activities with hours not yet verified that the user may verify: led teams, or staff scope.

    The user's own record is left out of their count (nobody verifies their own
    hours), so an activity with only that record is not theirs to verify.
    """
    volunteer = volunteer_of(user)
    waiting = ServiceRecord.objects.filter(
        activity=OuterRef("pk"), verified_at__isnull=True, ended_at__isnull=False
    )
    if volunteer is not None:
        waiting = waiting.exclude(volunteer=volunteer)
    ended = (
        Activity.objects.filter(ends_at__lte=now)
        .exclude(status=Activity.Status.CANCELLED)
        .filter(Exists(waiting))
        .select_related("team", "community")
        .order_by("ends_at", "pk")
    )
    return visible(ended, user, also=Q(team__leader=volunteer) if volunteer is not None else None)


def pending_applications(user):
    """Applications to join teams the user leads."""
    volunteer = volunteer_of(user)
    if volunteer is None:
        return TeamMembership.objects.none()
    return (
        TeamMembership.objects.filter(team__leader=volunteer, status=TeamMembership.Status.PENDING)
        .select_related("team", "volunteer")
        .order_by("applied_at", "pk")
    )


def users_of_volunteers(volunteer_ids):
    """The active logins of these volunteers (volunteers without one are left out)."""
    from portal.models import User

    return list(User.objects.filter(volunteer__pk__in=list(volunteer_ids), is_active=True).order_by("pk"))
