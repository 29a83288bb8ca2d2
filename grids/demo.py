"""Demo data for one street: the grid tree, buildings, households, residents,
grid workers and half a year of visits, at the scale of the case reports
(12 communities, 36 grids, ~16,000 households, ~46,000 residents, 786 grid
workers, 891 party members)."""

import datetime

from django.contrib.auth.models import Group

from grids import services
from grids.models import Building, Grid, GridAssignment, Household, Resident, Visit
from portal.demo import (
    COMMUNITY_NAMES,
    ROADS,
    STREET_NAMES,
    demo_users,
    id_number,
    mobile,
    person_name,
)
from portal.roles import Role

COMMUNITIES = 12
GRIDS_PER_COMMUNITY = 3
HOUSEHOLDS = 16_000
GRID_WORKERS = 786
PARTY_MEMBERS = 891
VOLUNTEER_LOGINS = 200
UNIT_LOGINS = 30
VISIT_DAYS = 180

CATEGORY_WEIGHTS = [
    (Household.Category.SOLITARY, 2.0),
    (Household.Category.EMPTY_NEST, 6.0),
    (Household.Category.POOR, 2.0),
    (Household.Category.DISABLED, 2.0),
    (Household.Category.SUPERVISED, 0.5),
    (Household.Category.MILITARY, 1.5),
    (Household.Category.GENERAL, 86.0),
]
FINDINGS = (
    "老人身体状况良好，已提醒按时服药。",
    "家中燃气灶老化，已提醒更换并登记。",
    "反映楼道灯不亮，需联系物业维修。",
    "子女在外地工作，老人希望有人陪同就医。",
    "申请办理高龄补贴，已告知所需材料。",
    "家庭生活困难，建议纳入临时救助。",
    "反映下水道堵塞，需协调维修。",
    "近期情绪稳定，无异常情况。",
    "已宣传反诈知识，发放宣传册。",
    "希望参加社区老年大学书法班。",
)


def seed_street(ctx):
    """Create street number ctx.index, unless it is already there."""
    street = Grid.objects.filter(code=ctx.code).first()
    if street is None:
        _tree(ctx)
        # Re-read: the instance's lft/rght went stale as children were added.
        street = Grid.objects.get(code=ctx.code)
        ctx.count("grid nodes", Grid.objects.filter(tree_id=street.tree_id).count())
    ctx.street = street
    ctx.communities = list(street.get_children())
    ctx.grids = list(Grid.objects.filter(parent__in=ctx.communities).order_by("code"))
    _logins(ctx)
    if not Building.objects.filter(grid__in=ctx.grids).exists():
        _households(ctx)
        _assignments(ctx)
        _visits(ctx)


def _tree(ctx):
    name = STREET_NAMES[(ctx.index - 1) % len(STREET_NAMES)]
    street = services.grid_create(
        name=f"{name}街道", code=ctx.code, kind=Grid.Kind.STREET, address=f"{name}街道办事处"
    )
    for c in range(1, COMMUNITIES + 1):
        community = services.grid_create(
            name=f"{COMMUNITY_NAMES[(c - 1 + ctx.index - 1) % len(COMMUNITY_NAMES)]}社区",
            code=f"{ctx.code}-C{c:02d}",
            kind=Grid.Kind.COMMUNITY,
            parent=street,
            address=f"{ROADS[c % len(ROADS)]}{c * 12}号 红色驿站",
        )
        for g in range(1, GRIDS_PER_COMMUNITY + 1):
            services.grid_create(
                name=f"{community.name}第{g}网格",
                code=f"{ctx.code}-C{c:02d}-G{g}",
                kind=Grid.Kind.GRID,
                parent=community,
            )
    return street


def _logins(ctx):
    base = ctx.index - 1
    # The first street's staff login is plain `street`; the district adds street2….
    suffix = "" if ctx.index == 1 else ctx.index
    demo_users(
        ctx,
        prefix="street",
        numbers=[suffix],
        role=Role.STREET_STAFF,
        scopes={suffix: ctx.street},
        is_staff=True,
    )
    demo_users(
        ctx,
        prefix="secretary",
        numbers=[base * COMMUNITIES + c for c in range(1, COMMUNITIES + 1)],
        role=Role.COMMUNITY_SECRETARY,
        scopes={base * COMMUNITIES + c: community for c, community in enumerate(ctx.communities, 1)},
        is_staff=True,
    )
    per_grid = _grid_worker_counts(len(ctx.grids))
    scopes, number = {}, base * GRID_WORKERS
    for grid, count in zip(ctx.grids, per_grid, strict=True):
        for _ in range(count):
            number += 1
            scopes[number] = grid
    demo_users(ctx, prefix="gridworker", numbers=sorted(scopes), role=Role.GRID_WORKER, scopes=scopes)
    demo_users(
        ctx,
        prefix="volunteer",
        numbers=range(base * VOLUNTEER_LOGINS + 1, (base + 1) * VOLUNTEER_LOGINS + 1),
        role=Role.VOLUNTEER,
    )
    demo_users(
        ctx,
        prefix="unit",
        numbers=range(base * UNIT_LOGINS + 1, (base + 1) * UNIT_LOGINS + 1),
        role=Role.UNIT_LIAISON,
    )


def _grid_worker_counts(grids):
    share, extra = divmod(GRID_WORKERS, grids)
    return [share + (1 if i < extra else 0) for i in range(grids)]


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _households(ctx):
    rng = ctx.rng_for("households")
    per_grid, extra = divmod(HOUSEHOLDS, len(ctx.grids))
    buildings, households, sizes = [], [], []
    for i, grid in enumerate(ctx.grids):
        target = per_grid + (1 if i < extra else 0)
        made, number = 0, 0
        while made < target:
            number += 1
            units, floors = rng.choice((2, 3)), rng.choice((6, 7))
            building = Building(
                grid=grid,
                name=f"{number}号楼",
                address=f"{rng.choice(ROADS)}{rng.randint(1, 300)}号",
                units=units,
                floors=floors,
            )
            buildings.append(building)
            for unit in range(1, units + 1):
                for floor in range(1, floors + 1):
                    for door in (1, 2):
                        if made >= target:
                            break
                        category = _weighted(rng, CATEGORY_WEIGHTS)
                        households.append(
                            Household(
                                grid=grid,
                                building=building,
                                unit=str(unit),
                                room=f"{floor}{door:02d}",
                                head_name=person_name(rng),
                                phone=mobile(rng) if rng.random() < 0.92 else "",
                                id_number=id_number(rng) if rng.random() < 0.6 else "",
                                category=category,
                            )
                        )
                        sizes.append(_household_size(rng, category))
                        made += 1
    for building in buildings:
        building.fill_sort_key()
    Building.objects.bulk_create(buildings, batch_size=2000)
    for household in households:
        household.building_id = household.building.pk
        household.fill_sort_key()
    Household.objects.bulk_create(households, batch_size=2000)
    ctx.count("buildings", len(buildings))
    ctx.count("households", len(households))
    _residents(ctx, rng, households, sizes)


def _household_size(rng, category):
    if category == Household.Category.SOLITARY:
        return 1
    if category == Household.Category.EMPTY_NEST:
        return 2
    return rng.choices((1, 2, 3, 4, 5), (8, 22, 40, 20, 10))[0]


def _residents(ctx, rng, households, sizes):
    relations = [
        Resident.Relation.SPOUSE,
        Resident.Relation.CHILD,
        Resident.Relation.CHILD,
        Resident.Relation.PARENT,
        Resident.Relation.OTHER,
    ]
    residents = []
    for household, size in zip(households, sizes, strict=True):
        head_year = rng.randint(1940, 1990)
        residents.append(
            Resident(
                household=household,
                name=household.head_name,
                relation=Resident.Relation.HEAD,
                gender=rng.choice("MF"),
                birth_date=datetime.date(head_year, rng.randint(1, 12), rng.randint(1, 28)),
                phone=household.phone,
                id_number=household.id_number,
            )
        )
        for k in range(size - 1):
            relation = relations[k]
            year = head_year + (28 if relation == Resident.Relation.CHILD else rng.randint(-3, 3))
            if relation == Resident.Relation.PARENT:
                year = head_year - 27
            residents.append(
                Resident(
                    household=household,
                    name=household.head_name[0] + person_name(rng)[1:],
                    relation=relation,
                    gender=rng.choice("MF"),
                    birth_date=datetime.date(min(year, 2023), rng.randint(1, 12), rng.randint(1, 28)),
                )
            )
    adults = [r for r in residents if r.birth_date.year <= 2000]
    for resident in rng.sample(adults, min(PARTY_MEMBERS, len(adults))):
        resident.is_party_member = True
    Resident.objects.bulk_create(residents, batch_size=5000)
    ctx.count("residents", len(residents))


def _assignments(ctx):
    rng = ctx.rng_for("assignments")
    group = Group.objects.get(name=Role.GRID_WORKER)
    workers = {}
    for user in group.user_set.filter(staff_profile__scope__in=ctx.grids).select_related("staff_profile"):
        workers.setdefault(user.staff_profile.scope_id, []).append(user)
    start = (ctx.now - datetime.timedelta(days=400)).date()
    assignments = []
    for grid in ctx.grids:
        people = sorted(workers.get(grid.pk, []), key=lambda u: u.pk)
        buildings = list(Building.objects.filter(grid=grid).order_by("pk"))
        for k, person in enumerate(people):
            if k == 0:
                role, building, unit = GridAssignment.Role.GRID_LEADER, None, ""
            elif k <= 2:
                role, building, unit = GridAssignment.Role.GRID_WORKER, None, ""
            elif k - 3 < len(buildings):
                role, building, unit = GridAssignment.Role.BUILDING_LEADER, buildings[k - 3], ""
            else:
                role = GridAssignment.Role.UNIT_LEADER
                building = buildings[(k - 3) % len(buildings)]
                unit = str(rng.randint(1, building.units))
            assignments.append(
                GridAssignment(
                    person=person, role=role, grid=grid, building=building, unit=unit, start_date=start
                )
            )
    GridAssignment.objects.bulk_create(assignments, batch_size=2000)
    ctx.count("grid assignments", len(assignments))


def _visits(ctx):
    rng = ctx.rng_for("visits")
    group = Group.objects.get(name=Role.GRID_WORKER)
    visitors = {}
    for user in group.user_set.filter(
        staff_profile__scope__in=ctx.grids,
        grid_assignments__role__in=[GridAssignment.Role.GRID_LEADER, GridAssignment.Role.GRID_WORKER],
    ).select_related("staff_profile"):
        visitors.setdefault(user.staff_profile.scope_id, []).append(user)
    visits, last_visit = [], {}
    households = Household.objects.filter(grid__in=ctx.grids).only("pk", "grid_id", "category")
    for household in households.iterator(chunk_size=5000):
        for when in _visit_times(rng, ctx.now, household.category != Household.Category.GENERAL):
            needs_follow_up = rng.random() < 0.1
            done = needs_follow_up and rng.random() < 0.7
            visits.append(
                Visit(
                    household_id=household.pk,
                    grid_id=household.grid_id,
                    visitor=rng.choice(visitors[household.grid_id]),
                    visited_at=when,
                    method=rng.choices(list(Visit.Method), (60, 30, 10))[0],
                    findings=rng.choice(FINDINGS),
                    follow_up_needed=needs_follow_up,
                    follow_up_done_at=when + datetime.timedelta(days=rng.randint(1, 7)) if done else None,
                )
            )
            last_visit[household.pk] = max(last_visit.get(household.pk, when), when)
    Visit.objects.bulk_create(visits, batch_size=5000)
    updates = [Household(pk=pk, last_visited_at=when) for pk, when in last_visit.items()]
    Household.objects.bulk_update(updates, ["last_visited_at"], batch_size=2000)
    ctx.count("visits", len(visits))


def _visit_times(rng, now, vulnerable):
    """Vulnerable households are visited about monthly, some fall behind; others rarely."""
    if vulnerable:
        gap = rng.randint(20, 40)
        behind = rng.random() < 0.12  # these show up as overdue on the grid page
        latest = now - datetime.timedelta(days=rng.randint(35, 90) if behind else rng.randint(0, 25))
        times, when = [], latest
        while when > now - datetime.timedelta(days=VISIT_DAYS):
            times.append(when)
            when -= datetime.timedelta(days=gap, hours=rng.randint(0, 8))
        return times
    if rng.random() < 0.3:
        return [now - datetime.timedelta(days=rng.randint(0, VISIT_DAYS), hours=rng.randint(0, 10))]
    return []
