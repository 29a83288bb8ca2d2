"""Scoped reads for the red micro-grid."""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, DateField, F, Q
from django.db.models.functions import TruncWeek
from django.shortcuts import get_object_or_404
from django.utils import timezone

from grids.models import Grid, GridAssignment, Household, Visit
from portal.months import day_start, month_bounds, this_month
from portal.roles import works_in_admin
from portal.scoping import aggregate_in, scope_queryset


def grids_visible_to(user):
    return scope_queryset(Grid.objects.all(), user)


def get_grid_for_user_or_404(user, code):
    return get_object_or_404(grids_visible_to(user), code=code)


def households_visible_to(user):
    return scope_queryset(Household.objects.select_related("building", "grid"), user)


def get_household_for_user_or_404(user, pk):
    return get_object_or_404(households_visible_to(user), pk=pk)


def visits_visible_to(user):
    """A grid worker sees their own visits; secretaries and staff their subtree."""
    visits = scope_queryset(Visit.objects.select_related("household__building", "grid", "visitor"), user)
    if not works_in_admin(user):
        visits = visits.filter(visitor=user)
    return visits


def get_visit_for_user_or_404(user, pk):
    return get_object_or_404(visits_visible_to(user), pk=pk)


def household_visits_for(user, household, limit=20):
    """The household's latest visits, each marked whether the user may read what was found.

    A grid worker needs to know when a household was last visited, and how, to
    plan their round; what a colleague found and noted is for the colleague
    and the community's staff, as on the visit pages (visits_visible_to).
    """
    visits = list(household.visits.select_related("visitor")[:limit])
    staff = works_in_admin(user)
    for visit in visits:
        visit.notes_shown = staff or visit.visitor_id == user.pk
    return visits


_BUILDING_SUFFIXES = ("", "号楼", "栋", "幢", "号")
_NUMBER_RE = re.compile(r"\d+")
_ADDRESS_WORDS_RE = re.compile(r"^[\d\s\-/#号楼栋幢单元室]+$")


def household_search(user, query, limit=30):
    """Find households in the user's scope by "3-2-301" / "3号楼2单元301" or by a name."""
    query = (query or "").strip()[:40]
    households = households_visible_to(user)
    if not query:
        return households.none()
    if _ADDRESS_WORDS_RE.match(query):
        numbers = _NUMBER_RE.findall(query)
        building, unit, room = (numbers + [None, None, None])[:3]
        filters = Q(building__name__in=[f"{building}{s}" for s in _BUILDING_SUFFIXES])
        if unit:
            filters &= Q(unit=unit)
        if room:
            filters &= Q(room__startswith=room)
        households = households.filter(filters)
    else:
        households = households.filter(
            Q(head_name__contains=query) | Q(residents__name__contains=query)
        ).distinct()
    return households.order_by("building__name", "unit", "room")[:limit]


def overdue_cutoff(now=None):
    now = now or timezone.now()
    return now - datetime.timedelta(days=settings.VISIT_OVERDUE_DAYS)


def overdue_q(now=None, prefix=""):
    """Vulnerable households not visited within VISIT_OVERDUE_DAYS, as a filter.

    `prefix` is the path to the household from another model ("household__").
    """
    return Q(**{f"{prefix}category__in": Household.VULNERABLE}) & (
        Q(**{f"{prefix}last_visited_at__isnull": True})
        | Q(**{f"{prefix}last_visited_at__lt": overdue_cutoff(now)})
    )


def overdue_households(households, now=None):
    """Vulnerable households not visited within VISIT_OVERDUE_DAYS."""
    return households.filter(overdue_q(now))


@dataclass
class GridStats:
    households: int = 0
    by_category: dict = field(default_factory=dict)
    visits_this_month: int = 0
    overdue: int = 0
    follow_ups_open: int = 0

    def add(self, other):
        self.households += other.households
        for key, count in other.by_category.items():
            self.by_category[key] = self.by_category.get(key, 0) + count
        self.visits_this_month += other.visits_this_month
        self.overdue += other.overdue
        self.follow_ups_open += other.follow_ups_open

    @property
    def categories(self):
        """(category, label, colour, count) for every rainbow category, in order."""
        return [
            (c.value, c.label, Household.COLOURS[c], self.by_category.get(c.value, 0))
            for c in Household.Category
        ]


def grid_stats(nodes, now=None):
    """Counts for each node's subtree: households by category, visits, overdue.

    Three grouped queries whatever the number of nodes; leaf counts are summed
    up to the requested nodes in Python using their lft/rght ranges.
    """
    nodes = list(nodes)
    if not nodes:
        return {}
    now = now or timezone.now()
    since = month_bounds(this_month(now))[0]
    subtree = Q()
    for node in nodes:
        subtree |= Q(tree_id=node.tree_id, lft__gte=node.lft, rght__lte=node.rght)
    leaves = {g.pk: g for g in Grid.objects.filter(subtree).only("tree_id", "lft", "rght")}
    in_leaves = Q(grid_id__in=list(leaves))

    per_leaf = defaultdict(GridStats)
    # order_by(): the default ordering by building would join buildings for nothing.
    for row in (
        Household.objects.filter(in_leaves)
        .values("grid_id", "category")
        .annotate(n=Count("id"), overdue=Count("id", filter=overdue_q(now)))
        .order_by()
    ):
        stats = per_leaf[row["grid_id"]]
        stats.households += row["n"]
        stats.by_category[row["category"]] = row["n"]
        stats.overdue += row["overdue"]
    for row in (
        Visit.objects.filter(in_leaves, visited_at__gte=since).values("grid_id").annotate(n=Count("id"))
    ):
        per_leaf[row["grid_id"]].visits_this_month = row["n"]
    for row in (
        Visit.objects.filter(in_leaves, follow_up_needed=True, follow_up_done_at__isnull=True)
        .values("grid_id")
        .annotate(n=Count("id"))
    ):
        per_leaf[row["grid_id"]].follow_ups_open = row["n"]

    result = {}
    for node in nodes:
        total = GridStats()
        for leaf_id, stats in per_leaf.items():
            leaf = leaves[leaf_id]
            if leaf.tree_id == node.tree_id and node.lft <= leaf.lft and leaf.rght <= node.rght:
                total.add(stats)
        result[node.pk] = total
    return result


# --- who answers for a grid -------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """A person to call about something in a grid, with their work phone."""

    user: object
    role: str
    phone: str


_IN_CHARGE = (GridAssignment.Role.GRID_LEADER, GridAssignment.Role.GRID_WORKER)


def _secretaries(community):
    from portal.models import User
    from portal.roles import Role

    return list(
        User.objects.filter(
            is_active=True,
            staff_profile__scope=community,
            groups__name=Role.COMMUNITY_SECRETARY.value,
        )
        .distinct()
        .order_by("pk")
    )


def _grid_staff(grid):
    today = timezone.localdate()
    assignments = (
        GridAssignment.objects.filter(
            grid=grid, role__in=_IN_CHARGE, start_date__lte=today, person__is_active=True
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("person")
        .order_by("role", "pk")
    )
    seen, people = set(), []
    for assignment in assignments:
        if assignment.person_id not in seen:
            seen.add(assignment.person_id)
            people.append((assignment.person, assignment.get_role_display()))
    return people


def contacts_for(grid):
    """Who a claimant calls about a wish in `grid`: its grid leader and workers, else the secretary."""
    from portal.roles import Role

    people = _grid_staff(grid) if grid.kind == Grid.Kind.GRID else []
    if not people and grid.community is not None:
        people = [(user, Role.COMMUNITY_SECRETARY.label) for user in _secretaries(grid.community)]
    return [Contact(user=user, role=str(role), phone=user.phone) for user, role in people]


def staff_in_charge(grid):
    """Users to tell about something in `grid`: its grid leader and workers and the community's secretaries."""
    users = [user for user, _role in _grid_staff(grid)] if grid.kind == Grid.Kind.GRID else []
    if grid.community is not None:
        users += _secretaries(grid.community)
    return list({user.pk: user for user in users}.values())


# --- what staff owe next (the to-do) ------------------------------------------------------------


def open_follow_ups(user):
    """Visits the user can open whose follow-up is still open, oldest first.

    A grid worker's own visits; a secretary's or street staff's whole subtree.
    """
    return (
        visits_visible_to(user)
        .filter(follow_up_needed=True, follow_up_done_at__isnull=True)
        .order_by("visited_at", "pk")
    )


def overdue_households_for(user, now=None):
    """Vulnerable households in the user's scope not visited within VISIT_OVERDUE_DAYS, longest first."""
    return overdue_households(households_visible_to(user), now).order_by(
        F("last_visited_at").asc(nulls_first=True), "pk"
    )


def _local_date(week):
    """TruncWeek gives a datetime on PostgreSQL and a date on SQLite."""
    return timezone.localtime(week).date() if isinstance(week, datetime.datetime) else week


def visit_weeks(scope, first_week, *, by_node=False):
    """Visits per week since the Monday `first_week`, inside `scope`: rows of `week` (a Monday) and `n`.

    With `by_node`, a row per week and grid node (`node`).
    """
    visits = Visit.objects.filter(visited_at__gte=day_start(first_week)).annotate(
        week=TruncWeek("visited_at", output_field=DateField())
    )
    rows = aggregate_in(visits, scope, {"n": Count("pk")}, group=("week",), by_node=by_node)
    return [{**row, "week": _local_date(row["week"])} for row in rows]
