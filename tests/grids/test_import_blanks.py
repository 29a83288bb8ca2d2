"""Imports never lose data: an empty cell keeps the stored value; only （清空） clears it."""

import datetime

import pytest
import tablib
from django.forms.models import model_to_dict

from grids.models import Building, GridAssignment, Household
from grids.resources import BuildingResource, GridWorkerResource, HouseholdResource
from portal.models import User
from tests.factories import GridAssignmentFactory, make_user


def _run(resource_class, user, headers, *rows):
    result = resource_class(user=User.objects.get(pk=user.pk)).import_data(
        tablib.Dataset(*rows, headers=headers), dry_run=False
    )
    assert not result.has_errors() and not result.has_validation_errors(), [
        (r.number, r.error_dict) for r in result.invalid_rows
    ]
    return result


def _errors(resource_class, user, headers, *rows):
    result = resource_class(user=User.objects.get(pk=user.pk)).import_data(
        tablib.Dataset(*rows, headers=headers), dry_run=False
    )
    return {r.number: str(r.error_dict) for r in result.invalid_rows}


def _household(world):
    household = world.household_a
    household.notes = "独居，常去社区食堂"
    household.save()
    return household


def test_a_household_sheet_with_only_the_key_and_the_category_changes_only_the_category(world):
    household = _household(world)
    before = model_to_dict(household)
    _run(
        HouseholdResource,
        world.secretary_a,
        ["网格编码", "楼栋", "单元", "房号", "彩虹分类"],
        [world.grid_a.code, "1号楼", household.unit, household.room, "空巢"],
    )
    household.refresh_from_db()
    assert household.category == Household.Category.EMPTY_NEST
    assert model_to_dict(household) == {**before, "category": Household.Category.EMPTY_NEST}


def test_a_blank_phone_cell_keeps_the_stored_phone(world):
    household = _household(world)
    before = model_to_dict(household)
    headers = ["网格编码", "楼栋", "单元", "房号", "户主姓名", "联系电话", "身份证号", "彩虹分类", "备注"]
    _run(
        HouseholdResource,
        world.secretary_a,
        headers,
        [world.grid_a.code, "1号楼", household.unit, household.room, "", "", "  ", "孤寡", None],
    )
    household.refresh_from_db()
    assert household.phone == "13812348000" and household.id_number == before["id_number"]
    assert model_to_dict(household) == {**before, "category": Household.Category.SOLITARY}


@pytest.mark.parametrize("marker", ["（清空）", "(清空)", " （ 清空 ） "])
def test_the_clear_marker_clears_a_household_value(world, marker):
    household = _household(world)
    _run(
        HouseholdResource,
        world.secretary_a,
        ["网格编码", "楼栋", "单元", "房号", "联系电话", "备注"],
        [world.grid_a.code, "1号楼", household.unit, household.room, marker, marker],
    )
    household.refresh_from_db()
    assert (household.phone, household.notes, household.head_name) == ("", "", _household(world).head_name)


def test_the_clear_marker_is_refused_where_a_value_is_required(world):
    household = _household(world)
    headers = ["网格编码", "楼栋", "单元", "房号", "彩虹分类"]
    errors = _errors(
        HouseholdResource, world.secretary_a, headers, [world.grid_a.code, "1号楼", "（清空）", "101", "孤寡"]
    )
    assert "用于识别记录，不能清空" in errors[1]
    errors = _errors(
        HouseholdResource,
        world.secretary_a,
        headers,
        [world.grid_a.code, "1号楼", household.unit, household.room, "（清空）"],
    )
    assert "必须填写，不能清空" in errors[1]
    household.refresh_from_db()
    assert household.category == Household.Category.GENERAL


def test_a_building_sheet_with_blank_cells_changes_only_what_is_filled(world):
    building = world.building_a
    building.address = "民主西路1号"
    building.save()
    before = model_to_dict(Building.objects.get(pk=building.pk))
    _run(
        BuildingResource,
        world.secretary_a,
        ["网格编码", "楼栋", "地址", "单元数", "层数"],
        [world.grid_a.code, "1号楼", "", "", "18"],
    )
    building.refresh_from_db()
    assert model_to_dict(building) == {**before, "floors": 18}
    _run(
        BuildingResource,
        world.secretary_a,
        ["网格编码", "楼栋", "地址"],
        [world.grid_a.code, "1号楼", "(清空)"],
    )
    building.refresh_from_db()
    assert (building.address, building.floors) == ("", 18)


def test_a_grid_duty_sheet_with_blank_dates_keeps_the_stored_dates(world):
    person = make_user(username="gw-old", full_name="赵红梅", phone="13600002222")
    duty = GridAssignmentFactory(
        person=person,
        grid=world.grid_a,
        start_date=datetime.date(2024, 5, 1),
        end_date=datetime.date(2026, 12, 31),
    )
    before = model_to_dict(duty)
    headers = ["账号", "姓名", "手机号", "职责", "网格编码", "楼栋", "单元", "开始日期", "结束日期"]
    _run(
        GridWorkerResource,
        world.secretary_a,
        headers,
        ["gw-old", "", "", "网格员", world.grid_a.code, "", "", "", ""],
    )
    duty.refresh_from_db()
    assert model_to_dict(duty) == before
    person.refresh_from_db()
    assert (person.full_name, person.phone) == ("赵红梅", "13600002222")

    _run(
        GridWorkerResource,
        world.secretary_a,
        ["账号", "职责", "网格编码", "楼栋", "单元", "结束日期"],
        ["gw-old", "网格员", world.grid_a.code, "", "", "（清空）"],
    )
    duty.refresh_from_db()
    assert duty.end_date is None and duty.start_date == datetime.date(2024, 5, 1)
    assert GridAssignment.objects.count() == 1
