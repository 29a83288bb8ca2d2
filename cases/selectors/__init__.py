"""Scoped reads of grid cases: staff see their subtree, responders their dispatches, residents a case by its code."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from alliances.models import MemberUnit
from cases.models import Case, CaseState, Category, Department, Dispatch
from portal.scoping import scope_queryset
from wishes.models import normalise_code

_QUEUE_RELATED = ("grid", "community", "category")


def cases_visible_to(user):
    """Cases in the user's subtree (a grid worker's grid, a secretary's community, the street)."""
    return scope_queryset(Case.objects.select_related(*_QUEUE_RELATED), user)


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
    # Two small semi-joins (the user's departments, the user's units) keep the
    # dispatch indexes usable and never multiply rows.
    found = Dispatch.objects.filter(
        Q(department__in=Department.objects.filter(liaisons=user, active=True))
        | Q(unit__in=MemberUnit.objects.filter(liaisons=user))
    )
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


def public_timeline(case):
    """What the resident sees: public events, without who did them or internal notes of responders."""
    return list(case.events.filter(public=True).order_by("at", "pk"))


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
            "case__grid", "case__community", "case__street", "department", "unit"
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
