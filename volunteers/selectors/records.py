"""Volunteers, service records, counted and pending hours, and the records export."""

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from portal.scoping import NOTHING, scope_of, scope_queryset
from portal.validators import normalise_phone
from volunteers.access import can_organise
from volunteers.models import (
    ExportMapping,
    ServiceRecord,
    SignUp,
    TeamMembership,
    Volunteer,
)
from volunteers.selectors.activities import activities_visible_to
from volunteers.services import counted_records


def volunteers_visible_to(user):
    """Staff only: volunteers living in their scope."""
    return scope_queryset(Volunteer.objects.select_related("community"), user)


def get_volunteer_for_user_or_404(user, pk):
    return get_object_or_404(volunteers_visible_to(user), pk=pk)


def volunteers_addable_by(user, activity):
    """Whom an organiser may add to an activity's records (补录): no one they could not see anyway.

    A team leader sees the team's members and the activity's sign-ups; staff
    also the volunteers living in their scope. A phone or volunteer number of
    anyone else in the street must not turn into a name.
    """
    condition = Q(
        memberships__team_id=activity.team_id, memberships__status=TeamMembership.Status.ACTIVE
    ) | Q(signups__activity=activity, signups__status=SignUp.Status.ACTIVE)
    if scope_of(user) is not NOTHING:
        condition |= Q(pk__in=volunteers_visible_to(user).values("pk"))
    return Volunteer.objects.filter(pk__in=Volunteer.objects.filter(condition).values("pk"))


def find_volunteer_to_add(user, activity, text):
    """A volunteer the organiser may add, by volunteer number or mobile number, or None."""
    text = normalise_phone((text or "").strip()).upper()
    if not text:
        return None
    people = volunteers_addable_by(user, activity).select_related("community")
    return people.filter(Q(number=text) | Q(phone=text)).order_by("pk").first()


def service_records_visible_to(user):
    return scope_queryset(
        ServiceRecord.objects.select_related("activity", "volunteer", "team", "verified_by", "recorded_by"),
        user,
    )


def get_record_for_organiser_or_404(user, pk):
    record = get_object_or_404(
        ServiceRecord.objects.select_related("activity__team", "activity__community", "volunteer"), pk=pk
    )
    visible = activities_visible_to(user).filter(pk=record.activity_id).exists()
    if not visible or not can_organise(user, record.activity):
        raise Http404
    return record


def my_records(volunteer, limit=20):
    return (
        ServiceRecord.objects.filter(volunteer=volunteer)
        .select_related("activity", "team")
        .order_by("-service_date", "-pk")[:limit]
    )


def verified_hours(volunteer, date_from=None, date_to=None):
    totals = counted_records(volunteer, date_from, date_to).aggregate(hours=Sum("hours"), times=Count("pk"))
    return _tenths(totals["hours"]), totals["times"]


def _tenths(hours):
    # SQLite sums decimals without their scale; show hours to the tenth everywhere.
    return Decimal(hours or 0).quantize(Decimal("0.1"))


def pending_hours(volunteer):
    pending = ServiceRecord.objects.filter(
        volunteer=volunteer, verified_at__isnull=True, ended_at__isnull=False
    )
    return _tenths(pending.aggregate(hours=Sum("hours"))["hours"])


def export_mappings_visible_to(user):
    return scope_queryset(ExportMapping.objects.select_related("owner"), user)


def records_for_export(user, date_from, date_to, activity=None):
    """Verified records in the user's scope, for the national system's upload."""
    records = service_records_visible_to(user).filter(
        verified_at__isnull=False,
        service_date__gte=date_from,
        service_date__lte=date_to,
    )
    if activity is not None:
        records = records.filter(activity=activity)
    return records.select_related("volunteer__community", "community").order_by(
        "service_date", "activity", "pk"
    )
