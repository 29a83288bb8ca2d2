"""The 民情图: who may open it, that opening it is logged, its layout, its marks and its fixed queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from care.selectors import natural_key, people_map, split_room
from grids.models import Household
from portal.models import PersonalDataLog
from portal.roles import Role
from tests.factories import BuildingFactory, HouseholdFactory, PairingFactory, make_user


def _url(grid):
    return reverse("care:people_map", args=[grid.code])


def test_building_names_sort_by_their_numbers():
    names = ["10号楼", "2号楼", "1号楼", "A座", "1号楼附楼"]
    assert sorted(names, key=natural_key) == ["1号楼", "1号楼附楼", "2号楼", "10号楼", "A座"]


@pytest.mark.parametrize(
    "room, expected", [("301", (3, "01")), ("1202", (12, "02")), ("01", None), ("B101", None), ("001", None)]
)
def test_a_room_number_gives_its_floor_and_door(room, expected):
    assert split_room(room) == expected


@pytest.mark.parametrize("who", ["gridworker_a", "secretary_a", "street_staff", "superuser"])
def test_staff_over_the_grid_and_its_grid_workers_open_the_map(world, login, who):
    assert login(getattr(world, who)).get(_url(world.grid_a)).status_code == 200


@pytest.mark.parametrize("who, status", [("secretary_b", 404), ("volunteer", 403), ("unscoped_staff", 403)])
def test_anyone_else_is_refused(world, login, who, status):
    assert login(getattr(world, who)).get(_url(world.grid_a)).status_code == status
    assert not PersonalDataLog.objects.exists()


def test_another_grids_worker_gets_404_and_nothing_is_logged(world, login):
    other_worker = make_user(Role.GRID_WORKER, world.grid_b, username="gridworker_b")
    assert login(other_worker).get(_url(world.grid_a)).status_code == 404
    assert login(other_worker).get(_url(world.grid_b)).status_code == 200
    assert list(PersonalDataLog.objects.values_list("grid_id", flat=True)) == [world.grid_b.pk]


def test_a_community_is_not_a_map(world, login):
    assert login(world.secretary_a).get(_url(world.community_a)).status_code == 404


def test_opening_the_map_is_logged_as_a_read_of_personal_data(world, login):
    login(world.gridworker_a).get(_url(world.grid_a))
    entry = PersonalDataLog.objects.get()
    assert entry.action == PersonalDataLog.Action.VIEW
    assert entry.actor == world.gridworker_a
    assert entry.grid == world.grid_a
    assert entry.fields == "category"


def test_a_grid_worker_goes_from_the_index_to_their_own_grid(world, login):
    response = login(world.gridworker_a).get(reverse("care:map_index"))
    assert response.status_code == 302 and response.url == _url(world.grid_a)
    page = login(world.secretary_a).get(reverse("care:map_index")).content.decode()
    assert _url(world.grid_a) in page and _url(world.grid_b) not in page


def test_buildings_floors_units_and_marks(world, login):
    grid = world.grid_a
    ten = BuildingFactory(grid=grid, name="10号楼", units=2, floors=3)
    two = BuildingFactory(grid=grid, name="2号楼", units=1, floors=2)
    overdue = HouseholdFactory(building=ten, unit="2", room="302", category=Household.Category.POOR)
    visited = HouseholdFactory(
        building=ten,
        unit="1",
        room="101",
        category=Household.Category.EMPTY_NEST,
        last_visited_at=timezone.now() - datetime.timedelta(days=2),
    )
    PairingFactory(household=visited)
    odd = HouseholdFactory(building=two, unit="1", room="B1", category=Household.Category.GENERAL)

    maps = people_map(grid)
    assert [m.building.name for m in maps] == ["1号楼", "2号楼", "10号楼"]
    tower = maps[2]
    assert [(u.name, u.doors) for u in tower.units] == [("1", ["01"]), ("2", ["02"])]
    assert [floor for floor, _row in tower.floors] == [3, 2, 1]
    top = dict(tower.floors)[3]
    assert top[0] is None and top[1].pk == overdue.pk and top[1].overdue and not top[1].paired
    ground = dict(tower.floors)[1]
    assert ground[0].pk == visited.pk and ground[0].paired and not ground[0].overdue
    assert (tower.households, tower.overdue, tower.paired) == (2, 1, 1)
    assert [c.pk for _unit, c in maps[1].others] == [odd.pk]

    page = login(world.gridworker_a).get(_url(grid)).content.decode()
    # every cell opens its household and says its category in words, not by colour alone
    cell = re.search(
        rf'<a class="cell cat-poor overdue" href="/grids/households/{overdue.pk}/"[^>]*>(.*?)</a>', page
    )
    assert cell and "贫困" in cell.group(1) and 'class="mark overdue"' in cell.group(1)
    assert f'href="/grids/households/{visited.pk}/"' in page
    assert page.index("2号楼") < page.index("10号楼")


def _grid_with(grid, buildings, per_building):
    for b in range(1, buildings + 1):
        building = BuildingFactory(grid=grid, name=f"{b + 1}号楼", units=2, floors=6)
        for n in range(per_building):
            household = HouseholdFactory(
                building=building,
                unit=str(n % 2 + 1),
                room=f"{n // 4 + 1}{n // 2 % 2 + 1:02d}",
                category=Household.Category.SOLITARY if n % 3 == 0 else Household.Category.GENERAL,
            )
            if n % 6 == 0:
                PairingFactory(household=household)


def test_the_map_costs_the_same_queries_for_a_small_and_a_larger_grid(world, login):
    client = login(world.gridworker_a)
    other = make_user(Role.GRID_WORKER, world.grid_b, username="gridworker_b")
    _grid_with(world.grid_a, buildings=1, per_building=4)
    _grid_with(world.grid_b, buildings=4, per_building=20)
    client.get(_url(world.grid_a))  # warm: sessions, templates
    with CaptureQueriesContext(connection) as small:
        assert client.get(_url(world.grid_a)).status_code == 200
    client = login(other)
    client.get(_url(world.grid_b))
    with CaptureQueriesContext(connection) as large:
        assert client.get(_url(world.grid_b)).status_code == 200
    assert len(small) == len(large)
