"""Scoped reads for volunteers, teams, activities and service records.

Staff see what lies in their scope (portal.scoping). A volunteer has no staff
scope; they see the teams and activities of their own street — the subtree of
the street their home community belongs to, the same MPTT range filter — and
only their own sign-ups, records and points.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from alliances.models import unit_keys, unit_name_key
from grids.models import Grid
from points.models import PeriodKind, PointsTotal
from points.selectors import last_rollup_at, points_of, rank_of
from portal.access import visible
from portal.months import add_months, month_start
from portal.scoping import EVERYTHING, NOTHING, Subtree, aggregate_in, scope_of, scope_queryset
from portal.validators import normalise_phone
from volunteers.access import can_manage_team, can_organise, volunteer_of
from volunteers.models import (
    Activity,
    DualReport,
    ExportMapping,
    ServiceRecord,
    SignUp,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
)
from volunteers.services import counted_records


def _street_nodes(street):
    return Grid.objects.filter(**Subtree.of(street).lookups())


def street_of(node):
    return node if node.parent_id is None else node.get_root()


def home_street(user):
    """The street of the user's volunteer record, or None."""
    volunteer = volunteer_of(user)
    return street_of(volunteer.community) if volunteer else None


def _in_my_street(queryset, user, field):
    """Staff scope, widened by the street a volunteer lives in."""
    street = home_street(user)
    also = Q(**{f"{field}__in": _street_nodes(street)}) if street is not None else None
    return visible(queryset, user, also=also)


# --- teams -------------------------------------------------------------------------------------


def teams_visible_to(user):
    teams = VolunteerTeam.objects.select_related("community", "leader")
    return _in_my_street(teams, user, "community")


def get_team_for_user_or_404(user, pk):
    return get_object_or_404(teams_visible_to(user), pk=pk)


def teams_with_counts(teams):
    return teams.annotate(
        members=Count("memberships", filter=Q(memberships__status=TeamMembership.Status.ACTIVE)),
        pending=Count("memberships", filter=Q(memberships__status=TeamMembership.Status.PENDING)),
    )


def team_members(team):
    return (
        TeamMembership.objects.filter(team=team)
        .exclude(status__in=[TeamMembership.Status.LEFT, TeamMembership.Status.REJECTED])
        .select_related("volunteer__community")
        .order_by("status", "volunteer__name")
    )


def membership_of(team, volunteer):
    if volunteer is None:
        return None
    return TeamMembership.objects.filter(team=team, volunteer=volunteer).first()


def teams_organisable_by(user, also=None):
    """Teams the user may publish for: those they lead, those in their staff scope (and `also`)."""
    teams = teams_visible_to(user)
    volunteer = volunteer_of(user)
    led = teams.filter(leader=volunteer) if volunteer else teams.none()
    staffed = scope_queryset(VolunteerTeam.objects.all(), user)
    allowed = Q(pk__in=led.values("pk")) | Q(pk__in=staffed.values("pk"))
    if also is not None:
        allowed |= Q(pk=also.pk)
    return teams.filter(allowed)


def places_for(user, teams):
    """Communities an activity may be held in: the streets of the user's teams, within staff scope.

    A leader may hold an activity anywhere in the team's street; staff who lead
    no team only inside their scope.
    """
    streets = {team.community.tree_id for team in teams}
    communities = Grid.objects.filter(kind=Grid.Kind.COMMUNITY, tree_id__in=streets).order_by("code")
    if volunteer_of(user) is None:
        communities = scope_queryset(communities, user, field="")
    return communities


def get_membership_for_manager_or_404(user, pk):
    membership = get_object_or_404(
        TeamMembership.objects.select_related("team__community", "volunteer"),
        pk=pk,
        team__in=teams_visible_to(user),
    )
    if not can_manage_team(user, membership.team):
        raise Http404
    return membership


# --- activities -------------------------------------------------------------------------------


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


# --- volunteers and records -------------------------------------------------------------------------


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


# --- export ----------------------------------------------------------------------------------------------


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


# --- 双报到 -----------------------------------------------------------------------------------------------


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


# --- contacts and reminders (read by the inbox) -----------------------------------------------------


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


# --- what volunteers and organisers owe next (the to-do) ---------------------------------------------


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


# --- numbers for the staff dashboard and the monthly report ---------------------------------------------------


def counted_hours(scope, since, *, per="day", by_node=False):
    """Counted hours and person-times since the date `since`, inside `scope`.

    Rows of `start` (the day, or with per="month" the month's first day),
    `hours` and `records`; with `by_node`, a row per period and grid node.
    """
    records = ServiceRecord.objects.counted().filter(service_date__gte=since)
    if per == "month":
        records = records.annotate(start=TruncMonth("service_date"))
    else:
        records = records.annotate(start=F("service_date"))
    return aggregate_in(
        records, scope, {"hours": Sum("hours"), "records": Count("pk")}, group=("start",), by_node=by_node
    )


def party_member_filter(street_tree, prefix=""):
    """Party members living in the street who name a work unit: those a member unit can count."""
    return Q(**{f"{prefix}is_party_member": True, f"{prefix}community__tree_id": street_tree}) & ~Q(
        **{f"{prefix}work_unit": ""}
    )


def unit_party_members(area, street_tree, units, month):
    """Per member unit: its party members in the street, and their counted service in `area` in `month`.

    A party member counts for a unit when their work unit matches the unit's
    name (`alliances.models.unit_name_key`). Rows of unit_id, unit, members,
    serving (people who served), records and hours (Decimal), for units with any.
    """
    if not units:
        return []
    keys = unit_keys(units.values())
    rows = {
        pk: {
            "unit_id": pk,
            "unit": unit.name,
            "members": 0,
            "serving": 0,
            "records": 0,
            "hours": Decimal("0"),
        }
        for pk, unit in units.items()
    }
    registered = (
        Volunteer.objects.filter(party_member_filter(street_tree))
        .values("work_unit")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in registered:
        owner = keys.get(unit_name_key(row["work_unit"]))
        if owner is not None:
            rows[owner]["members"] += row["n"]
    served = (
        ServiceRecord.objects.counted()
        .filter(
            party_member_filter(street_tree, "volunteer__"),
            service_date__gte=month,
            service_date__lt=add_months(month, 1),
            **area.lookups("community__"),
        )
        .values("volunteer__work_unit")
        .annotate(hours=Sum("hours"), records=Count("pk"), people=Count("volunteer", distinct=True))
        .order_by()
    )
    for row in served:
        owner = keys.get(unit_name_key(row["volunteer__work_unit"]))
        if owner is not None:
            rows[owner]["serving"] += row["people"]
            rows[owner]["records"] += row["records"]
            rows[owner]["hours"] += row["hours"] or Decimal("0")
    return [row for row in rows.values() if row["members"] or row["records"]]
