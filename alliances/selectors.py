"""Scoped reads for alliances.

Staff reach what lies in their subtree (portal.scoping). Unit liaisons have no
grid scope: they reach exactly their own unit's objects — the unit, its
resources, the projects it leads or partners in (with their updates and
photos), the alliances it belongs to with their chair schedules and meetings,
and the problems it owns — through its `liaisons`.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.access import liaison_unit_ids
from alliances.models import (
    Alliance,
    ChairTerm,
    JointMeeting,
    MeetingProblem,
    Membership,
    MemberUnit,
    MonthlyReport,
    Need,
    Project,
    ProjectPhoto,
    ProjectUpdate,
    Resource,
    add_months,
    month_end,
    month_start,
)
from portal.scoping import scope_queryset


def _with_liaison(base, user, liaison_filter):
    """Rows in the user's scope, plus those the user reaches as a unit liaison."""
    staff = scope_queryset(base, user)
    unit_ids = liaison_unit_ids(user)
    if not unit_ids:
        return staff
    return staff | base.filter(liaison_filter(unit_ids))


def units_of_liaison(user):
    return MemberUnit.objects.filter(pk__in=liaison_unit_ids(user)).select_related("grid")


def units_visible_to(user):
    return _with_liaison(MemberUnit.objects.select_related("grid"), user, lambda ids: Q(pk__in=ids))


def get_unit_for_user_or_404(user, pk):
    return get_object_or_404(units_visible_to(user), pk=pk)


def alliances_visible_to(user):
    def member_of(ids):
        return Q(pk__in=Membership.objects.filter(unit__in=ids).values("alliance_id"))

    return _with_liaison(Alliance.objects.select_related("grid"), user, member_of)


def get_alliance_for_user_or_404(user, pk):
    return get_object_or_404(alliances_visible_to(user), pk=pk)


def resources_visible_to(user):
    return _with_liaison(
        Resource.objects.select_related("unit__grid", "community"), user, lambda ids: Q(unit__in=ids)
    )


def get_resource_for_user_or_404(user, pk):
    return get_object_or_404(resources_visible_to(user), pk=pk)


def needs_visible_to(user):
    """Needs are the communities' lists: staff only, by scope."""
    return scope_queryset(Need.objects.select_related("community"), user)


def get_need_for_user_or_404(user, pk):
    return get_object_or_404(needs_visible_to(user), pk=pk)


def _projects_of_units(ids):
    involved = Project.objects.filter(Q(lead_unit__in=ids) | Q(partner_units__in=ids)).values("pk")
    return Q(pk__in=involved)


def projects_visible_to(user):
    base = Project.objects.select_related("community", "lead_unit", "alliance", "need")
    return _with_liaison(base, user, _projects_of_units)


def get_project_for_user_or_404(user, pk):
    return get_object_or_404(projects_visible_to(user), pk=pk)


def get_photo_for_user_or_404(user, pk):
    photos = ProjectPhoto.objects.filter(update__project__in=projects_visible_to(user).values("pk"))
    return get_object_or_404(photos, pk=pk)


def meetings_visible_to(user):
    def of_my_alliances(ids):
        return Q(alliance__in=Membership.objects.filter(unit__in=ids).values("alliance_id"))

    base = JointMeeting.objects.select_related("alliance__grid", "chair_unit")
    return _with_liaison(base, user, of_my_alliances)


def get_meeting_for_user_or_404(user, pk):
    return get_object_or_404(meetings_visible_to(user), pk=pk)


def get_problem_for_user_or_404(user, pk):
    problems = MeetingProblem.objects.select_related("meeting__alliance__grid", "owner_unit")
    return get_object_or_404(problems.filter(meeting__in=meetings_visible_to(user).values("pk")), pk=pk)


# --- pages --------------------------------------------------------------------------


def alliance_members(alliance, on=None):
    """Current members first (by joining date, then name), then those who left."""
    on = on or timezone.localdate()
    memberships = list(alliance.memberships.select_related("unit__grid").order_by("joined_on", "unit__name"))
    current = [m for m in memberships if m.is_member_on(on)]
    former = [m for m in memberships if not m.is_member_on(on)]
    return current, former


def chair_schedule(alliance, around=None, before=3, after=12):
    """The chair terms from `before` months ago to `after` months ahead."""
    current = month_start(around or timezone.localdate())
    return list(
        ChairTerm.objects.filter(
            alliance=alliance,
            month__gte=add_months(current, -before),
            month__lt=add_months(current, after),
        )
        .select_related("unit")
        .order_by("month")
    )


def project_timeline(project):
    """Updates (newest first) with their photos, and the status history."""
    updates = (
        ProjectUpdate.objects.filter(project=project)
        .select_related("unit", "posted_by")
        .prefetch_related("photos")
        .order_by("-posted_at", "-pk")
    )
    return list(updates), list(project.status_changes.select_related("changed_by"))


# --- matching ------------------------------------------------------------------------

POINTS_KIND = 40
POINTS_SAME_COMMUNITY = 30
POINTS_WHOLE_STREET = 20
POINTS_AVAILABLE_THROUGHOUT = 20
POINTS_AVAILABLE_PARTLY = 10
POINTS_ENOUGH = 10
PENALTY_PER_ACTIVE_PROJECT = 5
MAX_PENALTY = 15
DEFAULT_WINDOW_DAYS = 30


@dataclass
class Suggestion:
    """A resource suggested for a need, with its score and the reasons for it."""

    resource: Resource
    score: int = 0
    reasons: list = field(default_factory=list)  # (text, points) pairs

    def add(self, points, text):
        self.score += points
        self.reasons.append((text, points))


def _alliances_covering(community):
    return Alliance.objects.filter(grid__in=[community.pk, community.parent_id])


def _current_member_units(alliances, on):
    memberships = Membership.objects.filter(alliance__in=alliances, joined_on__lte=on).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=on)
    )
    return memberships.values("unit_id")


def match_suggestions(need, user, today=None, limit=10):
    """Resources for an open need, best first, each with an explained score out of 100.

    Candidates: active resources of the kind the need asks for, offered by units
    that are current members of the community's committee or the street's
    alliance, available at some time between today and the wanted-by date (30
    days ahead when there is none), and visible to the user. Score:
      kind matches                                  +40
      serves this community +30, or the whole street +20 (another community: 0)
      available the whole window +20, part of it +10
      quantity covers the need                      +10
      already used by active projects               −5 each, at most −15
    """
    today = today or timezone.localdate()
    window_end = need.wanted_by if need.wanted_by and need.wanted_by >= today else None
    window_end = window_end or today + datetime.timedelta(days=DEFAULT_WINDOW_DAYS)
    candidates = (
        resources_visible_to(user)
        .filter(
            is_active=True,
            kind=need.kind,
            unit__in=_current_member_units(_alliances_covering(need.community), today),
        )
        .filter(Q(available_until__isnull=True) | Q(available_until__gte=today))
        .filter(Q(available_from__isnull=True) | Q(available_from__lte=window_end))
        .annotate(
            active_projects=Count("projects", filter=Q(projects__status__in=Project.ACTIVE), distinct=True)
        )
    )
    suggestions = [_score(need, resource, today, window_end) for resource in candidates]
    suggestions.sort(key=lambda s: (-s.score, s.resource.unit.name, s.resource.title))
    return suggestions[:limit]


def _score(need, resource, today, window_end):
    suggestion = Suggestion(resource=resource)
    suggestion.add(POINTS_KIND, _("类别相符：%(kind)s") % {"kind": resource.get_kind_display()})
    if resource.community_id == need.community_id:
        suggestion.add(POINTS_SAME_COMMUNITY, _("服务本社区"))
    elif resource.community_id is None:
        suggestion.add(POINTS_WHOLE_STREET, _("全街道可用"))
    else:
        suggestion.add(0, _("服务的是%(c)s") % {"c": resource.community.name})
    starts_in_time = resource.available_from is None or resource.available_from <= today
    lasts = resource.available_until is None or resource.available_until >= window_end
    if starts_in_time and lasts:
        suggestion.add(
            POINTS_AVAILABLE_THROUGHOUT, _("%(day)s 前一直可用") % {"day": f"{window_end:%Y-%m-%d}"}
        )
    else:
        since = resource.available_from if not starts_in_time else today
        until = resource.available_until if not lasts else window_end
        suggestion.add(
            POINTS_AVAILABLE_PARTLY,
            _("部分时间可用：%(start)s 至 %(end)s")
            % {"start": f"{since:%Y-%m-%d}", "end": f"{until:%Y-%m-%d}"},
        )
    if need.quantity:
        if resource.quantity >= need.quantity:
            suggestion.add(
                POINTS_ENOUGH,
                _("数量足够：%(have)s，需要 %(want)s")
                % {"have": resource.quantity_label, "want": need.quantity},
            )
        else:
            suggestion.add(
                0,
                _("数量不足：%(have)s，需要 %(want)s")
                % {"have": resource.quantity_label, "want": need.quantity},
            )
    busy = getattr(resource, "active_projects", 0)
    if busy:
        suggestion.add(
            -min(busy * PENALTY_PER_ACTIVE_PROJECT, MAX_PENALTY),
            _("已用于 %(n)s 个进行中的项目") % {"n": busy},
        )
    return suggestion


# --- monthly reports -------------------------------------------------------------------------
# Who may read an alliance's reports is who may open the alliance
# (get_alliance_for_user_or_404); these read the stored snapshots of one alliance.


def alliance_reports(alliance):
    """The built reports of an alliance, newest month first, without their documents."""
    return (
        MonthlyReport.objects.filter(alliance=alliance)
        .defer("data")
        .select_related("built_by")
        .order_by("-month")
    )


def monthly_report(alliance, month):
    return (
        MonthlyReport.objects.filter(alliance=alliance, month=month)
        .select_related("built_by", "alliance")
        .first()
    )


# --- who to tell, and what units and staff owe next (read by the inbox) ------------------------


def _current_memberships(on):
    return Membership.objects.filter(joined_on__lte=on).filter(Q(left_on__isnull=True) | Q(left_on__gt=on))


def liaisons_of_alliance(alliance, on):
    """Active liaison logins of the units that are members of `alliance` on the day `on`."""
    from portal.models import User

    units = _current_memberships(on).filter(alliance=alliance).values("unit_id")
    return list(User.objects.filter(liaison_units__in=units, is_active=True).distinct().order_by("pk"))


def matched_projects_to_start(unit_ids):
    """Projects the units lead that a need was matched to and that have not started yet."""
    return (
        Project.objects.filter(lead_unit__in=unit_ids, status=Project.Status.PLANNED)
        .select_related("community", "need")
        .order_by("created_at", "pk")
    )


def projects_due_update(unit_ids, since):
    """Active projects the units lead or partner in without an update from them since `since`."""
    posted = ProjectUpdate.objects.filter(project=OuterRef("pk"), unit__in=unit_ids, posted_at__gte=since)
    return (
        Project.objects.filter(_projects_of_units(unit_ids), status=Project.Status.IN_PROGRESS)
        .exclude(Exists(posted))
        .select_related("community")
        .order_by("pk")
    )


def covenants_to_sign(unit_ids, today):
    """Current memberships of the units whose covenant is not signed yet."""
    return (
        _current_memberships(today)
        .filter(unit__in=unit_ids, covenant_signed_on__isnull=True)
        .select_related("alliance", "unit")
        .order_by("alliance_id", "pk")
    )


def meetings_ahead(unit_ids, now, days):
    """Planned joint meetings of the units' alliances within the next `days` days."""
    alliances = Membership.objects.filter(unit__in=unit_ids, left_on__isnull=True).values("alliance_id")
    return (
        JointMeeting.objects.filter(
            alliance__in=alliances,
            status=JointMeeting.Status.PLANNED,
            held_at__gte=now,
            held_at__lt=now + datetime.timedelta(days=days),
        )
        .select_related("alliance")
        .order_by("held_at", "pk")
    )


def open_problems_of_units(unit_ids):
    return (
        MeetingProblem.objects.filter(owner_unit__in=unit_ids)
        .exclude(status=MeetingProblem.Status.RESOLVED)
        .select_related("meeting")
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )


def overdue_projects(user, today):
    """Projects in the user's scope still running after their planned end."""
    return (
        scope_queryset(Project.objects.select_related("community", "lead_unit"), user)
        .filter(status__in=Project.ACTIVE, end_on__lt=today)
        .order_by("end_on", "pk")
    )


def overdue_needs(user, today):
    """Needs in the user's scope still waiting for a match after their wanted-by date."""
    return (
        needs_visible_to(user)
        .filter(status=Need.Status.OPEN, wanted_by__lt=today)
        .order_by("wanted_by", "pk")
    )


def overdue_problems(user, today):
    """Problems raised at joint meetings in the user's scope, past their due date and not resolved."""
    return (
        scope_queryset(MeetingProblem.objects.select_related("meeting", "owner_unit"), user)
        .exclude(status=MeetingProblem.Status.RESOLVED)
        .filter(due_on__lt=today)
        .order_by("due_on", "pk")
    )


def reports_missing(user, month):
    """Alliances in the user's scope without a built report for `month` (a first day)."""
    built = MonthlyReport.objects.filter(alliance=OuterRef("pk"), month=month)
    return (
        scope_queryset(Alliance.objects.select_related("grid"), user)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=month_end(month)))
        .exclude(Exists(built))
        .order_by("grid__tree_id", "grid__lft", "pk")
    )
