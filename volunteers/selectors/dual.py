"""双报到: in-service party members reporting to their community, and a volunteer's summary."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from points.models import PeriodKind, PointsTotal
from points.selectors import last_rollup_at, points_of, rank_of
from portal.months import month_start
from volunteers.models import (
    DualReport,
    Volunteer,
)
from volunteers.selectors.records import pending_hours, verified_hours, volunteers_visible_to


def _in_service_party_members(user):
    reported = DualReport.objects.filter(volunteer=OuterRef("pk"), status=DualReport.Status.REPORTED)
    return (
        volunteers_visible_to(user)
        .filter(is_party_member=True)
        .exclude(work_unit="")
        .annotate(reported=Exists(reported))
    )


def _report_counts():
    return {
        "total": Count("pk"),
        "done": Count("pk", filter=Q(reported=True)),
        "missing": Count("pk", filter=Q(reported=False)),
    }


def dual_report_summary(user):
    """Per community and per work unit: in-service party members, reported and not."""
    members = _in_service_party_members(user)
    by_community = (
        members.values("community_id", "community__name", "community__code")
        .annotate(**_report_counts())
        .order_by("community__code")
    )
    by_unit = members.values("work_unit").annotate(**_report_counts()).order_by("-total", "work_unit")
    return list(by_community), list(by_unit)


def dual_report_people(user, *, community=None, unit=None, reported=None):
    members = _in_service_party_members(user).select_related("community", "dual_report")
    if community is not None:
        members = members.filter(community_id=community)
    if unit is not None:
        members = members.filter(work_unit=unit)
    if reported is not None:
        members = members.filter(reported=reported)
    return members.order_by("community__code", "work_unit", "name")


@dataclass
class Summary:
    volunteer: Volunteer
    hours_year: Decimal
    times_year: int
    hours_total: Decimal
    times_total: int
    hours_pending: Decimal
    points_month: Decimal
    points_year: Decimal
    rank_month: PointsTotal | None
    rank_year: PointsTotal | None
    ranked_at: datetime.datetime | None


def volunteer_summary(volunteer, now=None):
    """What /me/ shows: verified hours, points this month and year, and ranks from the last rollup."""
    today = timezone.localdate(now or timezone.now())
    this_month, this_year = month_start(today), datetime.date(today.year, 1, 1)
    tomorrow = today + datetime.timedelta(days=1)
    hours_year, times_year = verified_hours(volunteer, date_from=this_year)
    hours_total, times_total = verified_hours(volunteer)
    return Summary(
        volunteer=volunteer,
        hours_year=hours_year,
        times_year=times_year,
        hours_total=hours_total,
        times_total=times_total,
        hours_pending=pending_hours(volunteer),
        points_month=points_of(volunteer, this_month, tomorrow),
        points_year=points_of(volunteer, this_year, tomorrow),
        rank_month=rank_of(volunteer, PeriodKind.MONTH, this_month),
        rank_year=rank_of(volunteer, PeriodKind.YEAR, this_year),
        ranked_at=last_rollup_at(),
    )
