"""Scoped reads for pairings, posts, building boards and the 民情图, and the numbers the dashboard asks for."""

import re
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from care.models import Pairing, Post, PostClaim, PostService
from grids.models import Building, GridAssignment, Household
from grids.selectors import grids_visible_to, overdue_q
from portal.scoping import aggregate_in, scope_queryset


def pairings_visible_to(user):
    return scope_queryset(
        Pairing.objects.select_related("household__building", "grid", "partner", "volunteer"), user
    )


def _current_pairing_exists(today=None):
    return Exists(Pairing.objects.current(today).filter(household=OuterRef("pk")))


def paired_q(today=None):
    """Households with a pairing in force, as a filter on households."""
    return Q(_current_pairing_exists(today))


# --- the partner's own households -------------------------------------------------------------


def my_pairings(user, now=None):
    """The user's pairings in force, each with its household and whether it is overdue, longest unvisited first."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return (
        Pairing.objects.current(today)
        .filter(partner=user)
        .select_related("household__building", "grid")
        .annotate(
            overdue=ExpressionWrapper(overdue_q(now, prefix="household__"), output_field=BooleanField())
        )
        .order_by("household__last_visited_at", "pk")
    )


def get_my_pairing_or_404(user, pk):
    """One of the user's own pairings in force; any other answers 404."""
    return get_object_or_404(Pairing.objects.current().filter(partner=user), pk=pk)


def my_pairings_due(user, now=None):
    """The user's paired households not contacted within VISIT_OVERDUE_DAYS, for the to-do."""
    now = now or timezone.now()
    return (
        Pairing.objects.current(timezone.localdate(now))
        .filter(partner=user)
        .filter(overdue_q(now, prefix="household__"))
        .select_related("household__building", "grid")
        .order_by("household__last_visited_at", "pk")
    )


# --- for staff --------------------------------------------------------------------------------


def unpaired_households_for(user, today=None):
    """Vulnerable households in the user's scope without a pairing in force."""
    return (
        scope_queryset(Household.objects.select_related("building", "grid"), user)
        .filter(category__in=Household.VULNERABLE)
        .exclude(paired_q(today))
        .order_by("grid__code", "building__name", "unit", "room")
    )


UNPAIRED = ("vulnerable", "unpaired")


def pairing_counts(scope, *, by_node=False, today=None):
    """Vulnerable households and those of them without a pairing in force, inside `scope`.

    One grouped query; with `by_node`, a row per grid node (`node`) so the
    dashboard can add streets up.
    """
    households = Household.objects.filter(category__in=Household.VULNERABLE).annotate(
        paired=_current_pairing_exists(today)
    )
    aggregates = {"vulnerable": Count("pk"), "unpaired": Count("pk", filter=Q(paired=False))}
    result = aggregate_in(households, scope, aggregates, by_node=by_node)
    if by_node:
        return result
    return {key: result[key] or 0 for key in UNPAIRED}


# --- the 民情图 ----------------------------------------------------------------------------------

_DIGITS = re.compile(r"(\d+)")
_ROOM = re.compile(r"^(\d{1,3})(\d{2})$")


def natural_key(text):
    """Sort key that puts 2号楼 before 10号楼: digit runs compare as numbers."""
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in _DIGITS.split(text or "") if part
    ]


def split_room(room):
    """(floor, door) of a room number such as 301 or 1202; None when it has no such shape."""
    match = _ROOM.match(room or "")
    if match is None or int(match[1]) == 0:
        return None
    return int(match[1]), match[2]


@dataclass
class Cell:
    pk: int
    room: str
    category: str
    label: str
    overdue: bool
    paired: bool
    url: str


@dataclass
class UnitColumns:
    name: str
    doors: list


@dataclass
class BuildingMap:
    building: Building
    units: list = field(default_factory=list)  # UnitColumns, in natural order
    floors: list = field(default_factory=list)  # (floor, [cell or None per unit and door]), top floor first
    others: list = field(default_factory=list)  # cells whose room number has no floor in it
    households: int = 0
    overdue: int = 0
    paired: int = 0

    @property
    def columns(self):
        return sum(len(unit.doors) for unit in self.units)


def get_map_grid_for_user_or_404(user, code):
    """A grid (third level) the user's scope holds: staff over it, or its own grid workers."""
    return get_object_or_404(grids_visible_to(user).filter(kind="grid"), code=code)


def get_board_building_or_404(user, pk):
    """A building in a grid the user may draw the 民情图 of (staff over it, or its grid workers)."""
    return get_object_or_404(
        Building.objects.select_related("grid__parent").filter(
            grid__in=grids_visible_to(user).filter(kind="grid")
        ),
        pk=pk,
    )


def map_grids_for(user):
    """Grids (third level) the user may draw the 民情图 of, by community."""
    return grids_visible_to(user).filter(kind="grid").select_related("parent").order_by("tree_id", "lft")


def people_map(grid, now=None):
    """The 民情图 of one grid: its buildings in natural order, each as floors × units × doors.

    Two queries whatever the size of the grid: the buildings, and the
    households with their category, overdue mark (the grids rule) and
    whether a pairing is in force.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    buildings = sorted(Building.objects.filter(grid=grid), key=lambda b: (natural_key(b.name), b.pk))
    maps = {b.pk: BuildingMap(building=b) for b in buildings}
    labels = dict(Household.Category.choices)
    url = reverse("grids:household_detail", args=[0])[:-2] + "{}/"
    rows = (
        Household.objects.filter(grid=grid)
        .annotate(
            overdue=ExpressionWrapper(overdue_q(now), output_field=BooleanField()),
            paired=_current_pairing_exists(today),
        )
        .order_by()
        .values_list("pk", "building_id", "unit", "room", "category", "overdue", "paired")
    )
    placed = {pk: {} for pk in maps}  # building -> {(unit, floor, door): cell}
    for pk, building_id, unit, room, category, overdue, paired in rows:
        cell = Cell(
            pk,
            room,
            category,
            str(labels.get(category, category)),
            bool(overdue),
            bool(paired),
            url.format(pk),
        )
        bmap = maps[building_id]
        bmap.households += 1
        bmap.overdue += cell.overdue
        bmap.paired += cell.paired
        where = split_room(room)
        if where is None or (unit, *where) in placed[building_id]:
            bmap.others.append((unit, cell))
        else:
            placed[building_id][(unit, *where)] = cell
    for bmap in maps.values():
        _lay_out(bmap, placed[bmap.building.pk])
    return list(maps.values())


def _lay_out(bmap, cells):
    building = bmap.building
    doors_of = {}
    for unit, _floor, door in cells:
        doors_of.setdefault(unit, set()).add(door)
    names = set(doors_of) | {str(n) for n in range(1, (building.units or 0) + 1)}
    bmap.units = [
        UnitColumns(name=name, doors=sorted(doors_of[name]))
        for name in sorted(names, key=natural_key)
        if name in doors_of
    ]
    top = max([building.floors or 0, *(floor for _unit, floor, _door in cells)])
    for floor in range(top, 0, -1):
        bmap.floors.append(
            (floor, [cells.get((unit.name, floor, door)) for unit in bmap.units for door in unit.doors])
        )
    bmap.others.sort(key=lambda pair: (natural_key(pair[0]), natural_key(pair[1].room)))


@dataclass
class MapTotals:
    households: int = 0
    overdue: int = 0
    paired: int = 0
    by_category: dict = field(default_factory=dict)


def map_totals(maps):
    totals = MapTotals()
    for bmap in maps:
        totals.households += bmap.households
        totals.overdue += bmap.overdue
        totals.paired += bmap.paired
        cells = [c for _floor, row in bmap.floors for c in row if c] + [c for _u, c in bmap.others]
        for cell in cells:
            totals.by_category[cell.category] = totals.by_category.get(cell.category, 0) + 1
    return totals


# --- posts (认岗) ------------------------------------------------------------------------------


def posts_for_member(volunteer):
    """Open posts of the party member's street, their own community's first, with places left."""
    return (
        Post.objects.filter(is_open=True, community__tree_id=volunteer.community.tree_id)
        .select_related("community", "building")
        .annotate(own=ExpressionWrapper(Q(community=volunteer.community), output_field=BooleanField()))
        .order_by("-own", "community__lft", "kind", "title", "pk")
    )


def my_claims(volunteer):
    """The posts the party member holds, each with their recorded service (newest first)."""
    return (
        PostClaim.objects.filter(volunteer=volunteer, left_at__isnull=True)
        .select_related("post__community", "post__building")
        .prefetch_related("services")
        .order_by("-claimed_at", "pk")
    )


def get_my_claim_or_404(volunteer, pk):
    return get_object_or_404(PostClaim.objects.filter(volunteer=volunteer, left_at__isnull=True), pk=pk)


def get_open_post_or_404(volunteer, pk):
    return get_object_or_404(
        Post.objects.filter(is_open=True, community__tree_id=volunteer.community.tree_id), pk=pk
    )


def post_services_to_verify_for(user):
    """Recorded service on posts in the user's scope that no one has verified yet, oldest first."""
    return scope_queryset(
        PostService.objects.filter(verified_at__isnull=True).select_related(
            "claim__volunteer", "claim__post", "community"
        ),
        user,
    ).order_by("recorded_at", "pk")


# --- the building board (亮身份) and the party share ------------------------------------------


@dataclass
class Board:
    building: Building
    grid: object
    community: object
    leaders: list = field(default_factory=list)  # (name, is party member)
    workers: list = field(default_factory=list)  # (role label, name)
    members: list = field(default_factory=list)  # (name, what they do here)


def _person_name(user):
    volunteer = getattr(user, "volunteer", None)
    if volunteer is not None:
        return volunteer.name
    return getattr(user, "full_name", "") or user.get_full_name() or user.get_username()


def building_board(building, today=None):
    """Who serves a building, for its printed board: leaders, grid workers, party members who agreed to be shown.

    Party members appear only with their consent (亮身份): building leaders,
    holders of a post at the building and partners of its households.
    """
    today = today or timezone.localdate()
    grid = building.grid
    board = Board(building=building, grid=grid, community=grid.parent)
    current = GridAssignment.objects.filter(start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    leaders = current.filter(building=building, role=GridAssignment.Role.BUILDING_LEADER).select_related(
        "person__volunteer"
    )
    for assignment in leaders.order_by("unit", "pk"):
        volunteer = getattr(assignment.person, "volunteer", None)
        board.leaders.append(
            (
                _person_name(assignment.person),
                bool(volunteer and volunteer.is_party_member and volunteer.shows_identity),
            )
        )
    workers = current.filter(
        grid=grid, role__in=[GridAssignment.Role.GRID_LEADER, GridAssignment.Role.GRID_WORKER]
    ).select_related("person__volunteer")
    for assignment in workers.order_by("role", "pk"):
        board.workers.append((assignment.get_role_display(), _person_name(assignment.person)))
    shown = {}
    claims = PostClaim.objects.filter(
        post__building=building,
        left_at__isnull=True,
        volunteer__is_party_member=True,
        volunteer__shows_identity=True,
    ).select_related("volunteer", "post")
    for claim in claims.order_by("claimed_at", "pk"):
        shown.setdefault(claim.volunteer_id, (claim.volunteer.name, []))[1].append(claim.post.title)
    partners = (
        Pairing.objects.current(today)
        .filter(household__building=building, volunteer__is_party_member=True, volunteer__shows_identity=True)
        .select_related("volunteer")
    )
    for pairing in partners.order_by("start_date", "pk"):
        shown.setdefault(pairing.volunteer_id, (pairing.volunteer.name, []))[1].append(str(_("结对帮扶")))
    board.members = [(name, "、".join(dict.fromkeys(roles))) for name, roles in shown.values()]
    return board


def building_leader_counts(scope, *, by_node=False, today=None):
    """Building leaders (楼栋长) in force inside `scope`, and how many of them are party members.

    One grouped query; with `by_node`, a row per grid (`node`) so the dashboard can add streets up.
    """
    today = today or timezone.localdate()
    leaders = GridAssignment.objects.filter(
        role=GridAssignment.Role.BUILDING_LEADER, start_date__lte=today
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
    aggregates = {
        "leaders": Count("pk"),
        "party_leaders": Count("pk", filter=Q(person__volunteer__is_party_member=True)),
    }
    result = aggregate_in(leaders, scope, aggregates, by_node=by_node)
    if by_node:
        return result
    return {key: result[key] or 0 for key in aggregates}
