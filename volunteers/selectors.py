"""Scoped reads for volunteers, teams, activities, records and points.

Staff see what lies in their scope (portal.scoping). A volunteer has no staff
scope; they see the teams and activities of their own street — the subtree of
the street their home community belongs to, the same MPTT range filter — and
only their own sign-ups, records and points.
"""

import datetime
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from grids.models import Grid
from portal.scoping import EVERYTHING, NOTHING, Subtree, scope_of, scope_queryset
from portal.validators import normalise_phone
from volunteers.models import (
    Activity,
    DualReport,
    ExportMapping,
    PeriodKind,
    PointsEntry,
    PointsPeriod,
    PointsRule,
    PointsTotal,
    ServiceRecord,
    SignUp,
    SubjectKind,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
)
from volunteers.permissions import can_manage_team, can_organise, volunteer_of
from volunteers.services import counted_records, month_start


def _street_nodes(street):
    return Grid.objects.filter(**Subtree.of(street).lookups())


def street_of(node):
    return node if node.parent_id is None else node.get_root()


def home_street(user):
    """The street of the user's volunteer record, or None."""
    volunteer = volunteer_of(user)
    return street_of(volunteer.community) if volunteer else None


def _visible(queryset, user, field):
    """Staff scope, widened by the street a volunteer lives in."""
    scope = scope_of(user)
    if scope is EVERYTHING:
        return queryset
    street = home_street(user)
    condition = Q(pk__in=[])
    if scope is not NOTHING:
        condition |= Q(pk__in=scope_queryset(queryset.model.objects.all(), user).values("pk"))
    if street is not None:
        condition |= Q(**{f"{field}__in": _street_nodes(street)})
    return queryset.filter(condition)


# --- teams -------------------------------------------------------------------------------------


def teams_visible_to(user):
    teams = VolunteerTeam.objects.select_related("community", "leader")
    return _visible(teams, user, "community")


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
    return _visible(activities, user, "community")


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


# --- points ----------------------------------------------------------------------------------------------


def rules_for_staff():
    return PointsRule.objects.order_by("subject_kind", "code")


def get_rule_or_404(pk):
    return get_object_or_404(PointsRule, pk=pk)


def points_entries_visible_to(user):
    return scope_queryset(PointsEntry.objects.select_related("rule", "street", "grid"), user)


def get_points_entry_for_user_or_404(user, pk):
    return get_object_or_404(points_entries_visible_to(user), pk=pk)


def _ct(model):
    return ContentType.objects.get_for_model(model)


def points_of(subject, date_from, date_until):
    """Live sum from the ledger, for one subject, in [date_from, date_until)."""
    start = timezone.make_aware(datetime.datetime.combine(date_from, datetime.time()))
    end = timezone.make_aware(datetime.datetime.combine(date_until, datetime.time()))
    total = PointsEntry.objects.filter(
        subject_type=_ct(type(subject)), subject_id=subject.pk, occurred_at__gte=start, occurred_at__lt=end
    ).aggregate(points=Sum("points"))["points"]
    return total or Decimal("0")


def rank_of(subject, kind, start):
    """The subject's row of the last rollup for the period, or None."""
    return PointsTotal.objects.filter(
        subject_type=_ct(type(subject)), subject_id=subject.pk, period_kind=kind, period_start=start
    ).first()


def last_rollup_at():
    return (
        PointsPeriod.objects.filter(kind=PeriodKind.MONTH)
        .order_by("-computed_at")
        .values_list("computed_at", flat=True)
        .first()
    )


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


@dataclass
class BoardRow:
    rank: int
    points: Decimal
    subject: object
    label: str
    community: str


SUBJECT_MODELS = {SubjectKind.PERSON: Volunteer, SubjectKind.TEAM: VolunteerTeam}


def _subject_model(kind):
    if kind == SubjectKind.UNIT:
        from alliances.models import MemberUnit

        return MemberUnit
    return SUBJECT_MODELS[kind]


def leaderboard(street, kind, start, subject_kind, top):
    """The top `top` subjects of a street for a period, from the rollup (points above zero)."""
    rows = list(
        PointsTotal.objects.filter(
            period_kind=kind, period_start=start, street=street, subject_kind=subject_kind, points__gt=0
        ).order_by(*PointsTotal.RANK_ORDER)[:top]
    )
    model = _subject_model(subject_kind)
    ct = _ct(model)
    related = ["community"] if model is not _subject_model(SubjectKind.UNIT) else ["grid"]
    subjects = model.objects.select_related(*related).in_bulk(
        [r.subject_id for r in rows if r.subject_type_id == ct.pk]
    )
    board = []
    for row in rows:
        subject = subjects.get(row.subject_id) if row.subject_type_id == ct.pk else None
        place = getattr(subject, "community", None) or getattr(subject, "grid", None)
        board.append(
            BoardRow(
                rank=row.rank,
                points=row.points,
                subject=subject,
                label=str(subject) if subject else "—",
                community=place.name if place else "",
            )
        )
    return board


def leaderboard_street(user, requested=None):
    """The street whose boards the user sees: their home street, or one in their staff scope."""
    scope = scope_of(user)
    streets = Grid.objects.filter(kind=Grid.Kind.STREET)
    if scope is not EVERYTHING:
        allowed = Q(pk__in=[])
        if scope is not NOTHING:
            allowed |= Q(tree_id=scope.tree_id)
        home = home_street(user)
        if home is not None:
            allowed |= Q(pk=home.pk)
        streets = streets.filter(allowed)
    streets = list(streets.order_by("code"))
    chosen = next((s for s in streets if str(s.pk) == str(requested)), None)
    return chosen or (streets[0] if streets else None), streets


def rolled_up_months(limit=12):
    """(first day, closed) of the latest months that have totals, newest first."""
    periods = PointsPeriod.objects.filter(kind=PeriodKind.MONTH).order_by("-start")
    return [(p.start, p.closed_at is not None) for p in periods[:limit]]


def stars_context(street, month, year):
    return OrderedDict(
        month_stars=leaderboard(
            street, PeriodKind.MONTH, month, SubjectKind.PERSON, settings.VOLUNTEER_STARS_TOP_N
        ),
        year_stars=leaderboard(
            street, PeriodKind.YEAR, year, SubjectKind.PERSON, settings.VOLUNTEER_STARS_TOP_N
        ),
        month_units=leaderboard(
            street, PeriodKind.MONTH, month, SubjectKind.UNIT, settings.VOLUNTEER_UNITS_TOP_N
        ),
        month_teams=leaderboard(
            street, PeriodKind.MONTH, month, SubjectKind.TEAM, settings.VOLUNTEER_UNITS_TOP_N
        ),
    )
