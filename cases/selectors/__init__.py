"""Scoped reads of grid cases: staff see their subtree, responders their dispatches, residents a case by its code."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from alliances.models import MemberUnit
from cases.models import Case, CaseState, Category, Department, Dispatch
from grids.models import Grid
from portal.scoping import Subtree, limit_to_scope, scope_of
from wishes.models import normalise_code

_QUEUE_RELATED = ("grid", "community", "category")


_NODE_CACHE = "_cases_scope_node"


def _scope_node(user, scope):
    """(pk, kind) of the node at the top of the user's subtree, cached on the user for the request."""
    cached = getattr(user, _NODE_CACHE, None)
    if cached is None or cached[0] != scope:
        node = Grid.objects.filter(tree_id=scope.tree_id, lft=scope.lft).values_list("pk", "kind").first()
        cached = (scope, node)
        setattr(user, _NODE_CACHE, cached)
    return cached[1]


def in_subtree(queryset, user):
    """Cases of `queryset` in the user's subtree, written so that one index serves filter and order.

    A case carries its street and community (set when it is reported, never changed: grids do
    not move), so a street's subtree is `street = S` and a community's is `community = C`: the
    indexes (street, -reported_at, -id) and (community, -reported_at, -id) then read a queue
    page in order. A grid worker's grid, and anything else, goes through the grid semi-join.
    """
    scope = scope_of(user)
    if isinstance(scope, Subtree):
        node = _scope_node(user, scope)
        if node is not None and node[1] == Grid.Kind.STREET:
            return queryset.filter(street_id=node[0])
        if node is not None and node[1] == Grid.Kind.COMMUNITY:
            return queryset.filter(community_id=node[0])
    return limit_to_scope(queryset, scope, "grid")


def cases_visible_to(user):
    """Cases in the user's subtree (a grid worker's grid, a secretary's community, the street)."""
    return in_subtree(Case.objects.select_related(*_QUEUE_RELATED), user)


def get_case_for_user_or_404(user, pk):
    return get_object_or_404(cases_visible_to(user), pk=pk)


def is_responder(user):
    return bool(
        user.is_authenticated
        and (user.case_departments.filter(active=True).exists() or user.liaison_units.exists())
    )


def dispatches_for_responder(user, *, live_only=False):
    """Only what was dispatched to the user's department or unit: never the rest of the street."""
    if not user.is_authenticated:
        return Dispatch.objects.none()
    # The user's departments and units are read first (a few ids), so that PostgreSQL sees
    # literal ids and reads the responder indexes instead of every dispatch newest first.
    departments = list(Department.objects.filter(liaisons=user, active=True).values_list("pk", flat=True))
    units = list(MemberUnit.objects.filter(liaisons=user).values_list("pk", flat=True))
    if not departments and not units:
        return Dispatch.objects.none()
    mine = Q()
    if departments:
        mine |= Q(department_id__in=departments)
    if units:
        mine |= Q(unit_id__in=units)
    found = Dispatch.objects.filter(mine)
    if live_only:
        found = found.filter(state__in=Dispatch.LIVE)
    return found.select_related(
        "case__grid", "case__community", "case__category", "department", "unit"
    ).order_by("-dispatched_at", "-pk")


def get_dispatch_for_responder_or_404(user, pk):
    return get_object_or_404(dispatches_for_responder(user), pk=pk)


def case_by_code(code):
    code = normalise_code(code)
    if not code:
        return None
    return (
        Case.objects.select_related("grid", "community", "category", "merged_into").filter(code=code).first()
    )


# Notes staff write to each other when a case moves between levels: the resident sees the step, not the words
# (which often name a neighbour, a colleague or a phone number).
_STAFF_NOTES = ("pass_up", "send_back", "redo")


def public_timeline(case):
    """What the resident sees: public events, without who did them or internal notes of staff and responders."""
    events = list(case.events.filter(public=True).order_by("at", "pk"))
    for event in events:
        if event.action in _STAFF_NOTES:
            event.note = ""
    return events


def timeline(case):
    return list(
        case.events.select_related("actor", "dispatch__department", "dispatch__unit").order_by("at", "pk")
    )


def categories_of(street):
    return Category.objects.filter(street=street, active=True).order_by("position", "name")


def queue(user, *, state=None, level=None, category=None, overdue=False, grid=None):
    """The staff queue /cases/ with its filters, newest first."""
    found = cases_visible_to(user)
    if state:
        found = found.filter(state=state)
    if level:
        found = found.filter(level=level)
    if category:
        found = found.filter(category_id=category)
    if grid:
        found = found.filter(Q(grid_id=grid) | Q(community_id=grid))
    if overdue:
        found = found.filter(
            Q(sign_overdue_at__isnull=False) | Q(finish_overdue_at__isnull=False), state__in=Case.OPEN
        )
    return found.order_by("-reported_at", "-pk")


# --- the to-do --------------------------------------------------------------------------------------


def waiting_at(user, level):
    """Open cases held at `level` in the user's subtree, waiting to be accepted or being handled there."""
    return (
        cases_visible_to(user)
        .filter(level=level, state__in=[CaseState.REPORTED, CaseState.HANDLING])
        .order_by("reported_at", "pk")
    )


def waiting_for_verification(user):
    return cases_visible_to(user).filter(state=CaseState.DONE).order_by("done_at", "pk")


def overdue_cases(user):
    return (
        cases_visible_to(user)
        .filter(state__in=Case.OPEN)
        .filter(Q(sign_overdue_at__isnull=False) | Q(finish_overdue_at__isnull=False))
        .order_by("reported_at", "pk")
    )


def cases_by_ids(ids):
    return list(
        Case.objects.filter(pk__in=ids).select_related("grid", "community", "street", "category", "holder")
    )


def dispatches_by_ids(ids):
    return list(
        Dispatch.objects.filter(pk__in=ids).select_related(
            "case__grid", "case__community", "case__street", "case__category", "department", "unit"
        )
    )


def responder_users(dispatch):
    return list(dispatch.responder.liaisons.filter(is_active=True))


def street_staff(street):
    """Active street staff whose scope is the street: the centre that dispatches and watches the clock."""
    from portal.models import User
    from portal.roles import Role

    return list(
        User.objects.filter(is_active=True, staff_profile__scope=street, groups__name=Role.STREET_STAFF.value)
        .distinct()
        .order_by("pk")
    )


from cases.selectors.stats import (  # noqa: E402  (the numbers, after the reads they build on)
    CASE_KEYS,
    DISPATCH_KEYS,
    add_counts,
    case_counts,
    case_stats,
    rates,
    responder_counts,
    unit_dispatch_counts,
)

__all__ = [
    "CASE_KEYS",
    "DISPATCH_KEYS",
    "add_counts",
    "case_counts",
    "case_stats",
    "rates",
    "responder_counts",
    "unit_dispatch_counts",
]
