"""The household a wish is about, matched by phone or flat in the scanned grid first: its rainbow category."""

import re

from django.db.models import Q

from grids.models import Grid, Household

_ADDRESS_RE = re.compile(r"^\s*(\d+)\D+(\d+)\D+(\d+)\s*$")
_BUILDING_SUFFIXES = ("", "号楼", "栋", "幢", "号")


def household_matches(*, phone, address, grid):
    """Households whose phone or building-unit-room match the wish, best candidates first.

    The grid the resident scanned is searched first: one "3号楼 2单元 301室"
    may exist in several grids of a community, and the scanned grid is where
    the resident lives. Then the rest of the community. Within each, phone
    matches come before address-only ones and vulnerable households before
    others. Each household carries `in_place` (in the scanned grid) and
    `by_phone`, for the review page to show why it is offered.
    """
    community = grid.community
    households = Household.objects.filter(grid__parent=community).select_related("building", "grid")
    match = Q(phone=phone) if phone else Q(pk__in=[])
    parts = _ADDRESS_RE.match(address or "")
    if parts:
        building, unit, room = parts.groups()
        match |= Q(building__name__in=[f"{building}{s}" for s in _BUILDING_SUFFIXES], unit=unit, room=room)
    found = list(households.filter(match).order_by("pk")[:20])
    for household in found:
        household.in_place = grid.kind == Grid.Kind.GRID and household.grid_id == grid.pk
        household.by_phone = bool(phone) and household.phone == phone
    found.sort(
        key=lambda h: (
            not h.in_place,
            not h.by_phone,
            h.category == Household.Category.GENERAL,
            h.pk,
        )
    )
    return found[:10]


def best_household(*, phone, address, grid):
    """The household a wish is from, when the matches leave no doubt; else None (staff choose).

    One match in the scanned grid; or one phone match in the community; or,
    without a scanned grid, exactly one match at all.
    """
    found = household_matches(phone=phone, address=address, grid=grid)
    in_place = [h for h in found if h.in_place]
    if len(in_place) == 1:
        return in_place[0]
    by_phone = [h for h in found if h.by_phone]
    if len(by_phone) == 1:
        return by_phone[0]
    if grid.kind != Grid.Kind.GRID and len(found) == 1:
        return found[0]
    return None
