"""The household list and the visit log search and sort the way staff think."""

import datetime

import pytest
from django.utils import timezone

from grids.admin import parse_address
from grids.models import Building, Household, natural_key
from tests.factories import (
    BuildingFactory,
    GridAssignmentFactory,
    GridNodeFactory,
    HouseholdFactory,
    ResidentFactory,
    VisitFactory,
)


def _found(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.mark.parametrize(
    "typed",
    [
        "3-2-301",
        "3号楼2单元301",
        "3号楼 2单元 301",
        "3号楼2单元301室",
        "3栋2单元301",
        "３－２－３０１",
        " 3 2 301 ",
    ],
)
def test_a_household_is_found_by_its_address_however_it_is_typed(login, world, typed):
    target = HouseholdFactory(building=BuildingFactory(grid=world.grid_a, name="3号楼"), unit="2", room="301")
    HouseholdFactory(building=target.building, unit="1", room="301")
    HouseholdFactory(building=BuildingFactory(grid=world.grid_a, name="13号楼"), unit="2", room="301")
    assert _found(login(world.street_staff), f"/admin/grids/household/?q={typed}") == [target]


def test_text_that_is_no_address_is_searched_as_a_name():
    assert parse_address("张三") is None
    assert parse_address("13912345678") is None
    assert parse_address("139 1234 5678") is None
    assert parse_address("3-2-301") == ("3", "2", "301")


def test_a_household_is_found_by_its_heads_name_a_residents_name_and_a_full_phone(login, world):
    household = HouseholdFactory(building=world.building_a, head_name="欧阳修", phone="13912345678")
    ResidentFactory(household=household, name="欧阳小明")
    HouseholdFactory(building=world.building_a, head_name="李白", phone="13800000001")
    client = login(world.street_staff)
    assert _found(client, "/admin/grids/household/?q=欧阳修") == [household]
    assert _found(client, "/admin/grids/household/?q=小明") == [household]
    assert _found(client, "/admin/grids/household/?q=13912345678") == [household]
    assert _found(client, "/admin/grids/household/?q=139%201234%205678") == [household]


def test_a_search_reaches_only_the_users_scope(login, world):
    HouseholdFactory(building=world.building_b, head_name="欧阳修")
    assert _found(login(world.secretary_a), "/admin/grids/household/?q=欧阳修") == []


def test_buildings_units_and_rooms_sort_as_people_count(login, world):
    rooms = []
    grid = GridNodeFactory(parent=world.community_b)
    for name in ("10号楼", "2号楼", "1号楼"):
        building = BuildingFactory(grid=grid, name=name)
        for unit, room in (("10", "101"), ("2", "1201"), ("2", "301")):
            rooms.append(HouseholdFactory(building=building, unit=unit, room=room))
    listed = [h for h in _found(login(world.superuser), "/admin/grids/household/") if h.grid == grid]
    labels = [f"{h.building.name} {h.unit}-{h.room}" for h in listed]
    assert labels == [
        "1号楼 2-301", "1号楼 2-1201", "1号楼 10-101",
        "2号楼 2-301", "2号楼 2-1201", "2号楼 10-101",
        "10号楼 2-301", "10号楼 2-1201", "10号楼 10-101",
    ]  # fmt: skip
    buildings = [b.name for b in _found(login(world.superuser), "/admin/grids/building/") if b.grid == grid]
    assert buildings == ["1号楼", "2号楼", "10号楼"]


def test_renaming_a_building_keeps_its_households_in_order(world):
    household = HouseholdFactory(building=world.building_a, unit="1", room="909")
    world.building_a.name = "12号楼"
    world.building_a.save()
    household.refresh_from_db()
    assert household.sort_key == natural_key("12号楼", "1", "909")
    assert Building.objects.get(pk=world.building_a.pk).sort_key == natural_key("12号楼")


def test_natural_keys_order_numbers_by_value():
    assert natural_key("2号楼") < natural_key("10号楼") < natural_key("10号楼A")
    assert natural_key("１０号楼") == natural_key("10号楼")


def test_the_visit_log_shows_household_and_findings_and_filters_by_grid_worker_date_and_follow_up(
    login, world
):
    worker = GridAssignmentFactory(grid=world.grid_a, person__full_name="网格员甲").person
    other = GridAssignmentFactory(grid=world.grid_a, person__full_name="网格员乙").person
    old = VisitFactory(
        household=world.household_a,
        visitor=worker,
        findings="老人独居，需要助餐",
        follow_up_needed=True,
        visited_at=timezone.now() - datetime.timedelta(days=60),
    )
    recent = VisitFactory(household=world.household_a, visitor=other, findings="情况良好")
    theirs = VisitFactory(household=world.household_b, visitor=other)
    client = login(world.street_staff)
    page = client.get("/admin/grids/visit/").content.decode()
    assert "老人独居" in page and world.household_a.head_name in page
    assert set(_found(client, f"/admin/grids/visit/?grid={world.grid_b.pk}")) == {theirs}
    filtered = client.get(f"/admin/grids/visit/?grid={world.grid_a.pk}")
    assert "网格员甲" in filtered.content.decode()  # the worker filter offers the grid's workers
    assert _found(client, f"/admin/grids/visit/?grid={world.grid_a.pk}&visitor={worker.pk}") == [old]
    assert _found(client, "/admin/grids/visit/?follow_up=open") == [old]
    assert set(_found(client, "/admin/grids/visit/?follow_up=none")) == {recent, theirs}
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert set(_found(client, f"/admin/grids/visit/?visited_at__since={since}")) == {recent, theirs}


def test_a_tampered_filter_shows_nothing_rather_than_failing(login, world):
    VisitFactory(household=world.household_a)
    client = login(world.street_staff)
    assert _found(client, f"/admin/grids/visit/?grid={world.grid_a.pk}&visitor=abc") == []
    assert _found(client, "/admin/grids/visit/?visitor=abc") == []
    assert _found(client, "/admin/grids/visit/?follow_up=whatever") != []
    assert Household.objects.exists()
