"""Activities: upcoming, organised, sign-ups and the attendance roster."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portal.scoping import EVERYTHING, NOTHING, scope_of, scope_queryset
from volunteers.access import can_organise, volunteer_of
from volunteers.models import (
    Activity,
    ServiceRecord,
    SignUp,
    TeamMembership,
    Volunteer,
)
from volunteers.selectors.scoped import _in_my_street


def activities_visible_to(user):
    activities = Activity.objects.select_related("team", "community")
    return _in_my_street(activities, user, "community")


def get_activity_for_user_or_404(user, pk):
    return get_object_or_404(activities_visible_to(user), pk=pk)


def get_activity_for_organiser_or_404(user, pk):
    """An activity the user may run; others answer 404 like an absent one."""
    activity = get_activity_for_user_or_404(user, pk)
    if not can_organise(user, activity):
        raise Http404
    return activity


def upcoming_activities(user, now=None, category=None):
    now = now or timezone.now()
    activities = activities_visible_to(user).filter(ends_at__gt=now).exclude(status=Activity.Status.CANCELLED)
    if category:
        activities = activities.filter(category=category)
    return activities.order_by("starts_at", "pk")


def activities_organised_by(user, now=None):
    """Activities of the teams the user leads, plus those staff run in their scope, recent first."""
    now = now or timezone.now()
    volunteer = volunteer_of(user)
    condition = Q(pk__in=[])
    if volunteer is not None:
        condition |= Q(team__leader=volunteer)
    scope = scope_of(user)
    if scope is EVERYTHING:
        condition = Q()
    elif scope is not NOTHING:
        condition |= Q(pk__in=scope_queryset(Activity.objects.all(), user).values("pk"))
    since = now - datetime.timedelta(days=30)
    return (
        Activity.objects.select_related("team", "community")
        .filter(condition, ends_at__gte=since)
        .order_by("starts_at", "pk")
    )


def signup_of(activity, volunteer):
    if volunteer is None:
        return None
    return SignUp.objects.filter(activity=activity, volunteer=volunteer, status=SignUp.Status.ACTIVE).first()


def record_of(activity, volunteer):
    if volunteer is None:
        return None
    return ServiceRecord.objects.filter(activity=activity, volunteer=volunteer).first()


def signed_up_ids(volunteer, activities):
    """Which of `activities` the volunteer holds a place in."""
    if volunteer is None:
        return set()
    return set(
        SignUp.objects.filter(
            volunteer=volunteer, status=SignUp.Status.ACTIVE, activity__in=list(activities)
        ).values_list("activity_id", flat=True)
    )


def team_upcoming_activities(team, now=None, limit=10):
    now = now or timezone.now()
    activities = team.activities.filter(ends_at__gt=now).exclude(status=Activity.Status.CANCELLED)
    return activities.order_by("starts_at")[:limit]


def memberships_by_team(volunteer):
    if volunteer is None:
        return {}
    return {m.team_id: m for m in TeamMembership.objects.filter(volunteer=volunteer)}


def my_signups(volunteer, now=None):
    now = now or timezone.now()
    return (
        SignUp.objects.filter(volunteer=volunteer, status=SignUp.Status.ACTIVE, activity__ends_at__gt=now)
        .exclude(activity__status=Activity.Status.CANCELLED)
        .select_related("activity__team", "activity__community")
        .order_by("activity__starts_at")
    )


@dataclass
class RosterRow:
    volunteer: Volunteer
    signup: SignUp | None
    record: ServiceRecord | None

    @property
    def state(self):
        record = self.record
        if record is None:
            return "waiting"
        if record.attendance in (ServiceRecord.Attendance.LEAVE, ServiceRecord.Attendance.ABSENT):
            return record.attendance
        return "on_site" if record.ended_at is None else "done"


def attendance_roster(activity):
    """Everyone signed up, and everyone with a record, in name order."""
    signups = {
        s.volunteer_id: s
        for s in activity.signups.filter(status=SignUp.Status.ACTIVE).select_related("volunteer")
    }
    records = {r.volunteer_id: r for r in activity.records.select_related("volunteer", "verified_by")}
    people = {s.volunteer_id: s.volunteer for s in signups.values()}
    people.update({r.volunteer_id: r.volunteer for r in records.values()})
    rows = [RosterRow(v, signups.get(pk), records.get(pk)) for pk, v in people.items()]
    return sorted(rows, key=lambda row: (row.volunteer.name, row.volunteer.pk))
