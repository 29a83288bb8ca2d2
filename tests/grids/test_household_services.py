"""Household writes: the admin and the spreadsheet import both go through grids.services and
record the personal data they set by one rule."""

import csv
import io

import pytest
import tablib
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grids import services
from grids.models import Building, Household
from grids.resources import HouseholdResource
from portal.models import PersonalDataLog, User
from portal.privacy import ADMIN
from tests.factories import ResidentFactory

HEADERS = ["网格编码", "楼栋", "单元", "房号", "户主姓名", "联系电话", "身份证号", "彩虹分类", "备注"]


def _row(world, room, phone="", id_number="", category="一般户"):
    return [world.grid_a.code, "1号楼", "1", room, f"户主{room}", phone, id_number, category, ""]


def _import(user, *rows, dry_run=False, file_name="住户.csv"):
    data = tablib.Dataset(*rows, headers=HEADERS)
    result = HouseholdResource(user=User.objects.get(pk=user.pk)).import_data(
        data, dry_run=dry_run, file_name=file_name
    )
    assert not result.has_errors() and not result.has_validation_errors()
    return result


def _changes():
    return list(PersonalDataLog.objects.filter(action="change").order_by("pk"))


def test_the_admin_and_the_import_record_a_new_households_phone_in_the_same_shape(login, world):
    client = login(world.secretary_a)
    response = client.post(
        reverse("admin:grids_household_add"),
        {
            "building": world.building_a.pk,
            "unit": "1",
            "room": "701",
            "head_name": "王五",
            "phone": "13900007010",
            "id_number": "",
            "category": "general",
            "notes": "",
            "residents-TOTAL_FORMS": "0",
            "residents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    out = io.StringIO()
    csv.writer(out).writerows([HEADERS, _row(world, "702", phone="13900007020")])
    preview = client.post(
        reverse("admin:grids_household_import"),
        {
            "import_file": SimpleUploadedFile("住户.csv", out.getvalue().encode(), "text/csv"),
            "format": "1",
            "resource": "0",
        },
    )
    client.post(reverse("admin:grids_household_process_import"), preview.context["confirm_form"].initial)

    by_admin, by_import = _changes()
    household_type = ContentType.objects.get_for_model(Household)
    for entry, room, via in [(by_admin, "701", "管理后台"), (by_import, "702", "住户.csv")]:
        household = Household.objects.get(room=room)
        assert (entry.actor, entry.subject_type, entry.subject_id) == (
            world.secretary_a,
            household_type,
            str(household.pk),
        )
        assert (entry.fields, entry.grid, entry.detail) == ("phone", world.grid_a, f"{via}：新建 1 条")


def test_changing_only_the_category_in_the_admin_records_nothing(login, world):
    household = world.household_a
    response = login(world.secretary_a).post(
        reverse("admin:grids_household_change", args=[household.pk]),
        {
            "building": world.building_a.pk,
            "unit": household.unit,
            "room": household.room,
            "head_name": household.head_name,
            "phone": household.phone,
            "id_number": household.id_number,
            "category": "solitary",
            "notes": "",
            "residents-TOTAL_FORMS": "0",
            "residents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert Household.objects.get(pk=household.pk).category == "solitary"
    assert not PersonalDataLog.objects.exists()


def test_clearing_a_phone_is_recorded_as_a_change(world):
    household = Household.objects.get(pk=world.household_a.pk)
    household.phone = ""
    services.household_save(household=household, actor=world.secretary_a, via=ADMIN, changed_fields=["phone"])
    (entry,) = _changes()
    assert (entry.fields, entry.detail, entry.grid) == ("phone", "管理后台：修改 1 条", world.grid_a)


def test_household_save_refuses_a_building_outside_the_scope(world):
    building_b = Building.objects.get(pk=world.building_b.pk)  # with its grid's current tree values
    household = Household(building=building_b, unit="1", room="808", head_name="x")
    with pytest.raises(PermissionDenied):
        services.household_save(household=household, actor=world.secretary_a, via=ADMIN)
    assert not Household.objects.filter(room="808").exists()


def test_an_import_records_each_batch_in_one_entry(world, monkeypatch):
    monkeypatch.setattr(HouseholdResource._meta, "batch_size", 2)
    _import(
        world.secretary_a,
        _row(world, "101", phone="13900001010"),  # the world's household A 1-101: changed
        _row(world, "201", phone="13900002010"),
        _row(world, "202"),
        _row(world, "203", phone="13900002030"),
        _row(world, "204"),
        _row(world, "205"),  # the last batch holds no personal data: nothing to record
    )
    first, second = _changes()
    assert (first.subject_id, first.subject_label, first.grid) == ("", "住户", None)
    # Written columns of changed households count, as in the admin's changed fields.
    assert (first.fields, first.detail) == ("phone,id_number", "住户.csv：新建 2 条、修改 1 条")
    assert (second.fields, second.detail) == ("phone", "住户.csv：新建 2 条")
    in_a = Household.objects.filter(building=world.building_a)
    assert in_a.get(room="101").phone == "13900001010"
    assert in_a.count() == 6 and set(in_a.values_list("grid", flat=True)) == {world.grid_a.pk}


def test_an_import_batch_of_one_names_the_household_like_the_admin(world):
    _import(world.secretary_a, _row(world, "301", id_number="11010519491231002X"))
    (entry,) = _changes()
    household = Household.objects.get(room="301")
    assert (entry.subject_id, entry.grid, entry.fields) == (str(household.pk), world.grid_a, "id_number")


def test_a_dry_run_writes_neither_households_nor_log_entries(world):
    before = Household.objects.count()
    result = _import(world.secretary_a, _row(world, "401", phone="13900004010"), dry_run=True)
    assert result.totals["new"] == 1
    assert Household.objects.count() == before
    assert not PersonalDataLog.objects.exists()


def test_households_import_refuses_a_batch_that_leaves_the_scope(world):
    building_a = Building.objects.get(pk=world.building_a.pk)
    building_b = Building.objects.get(pk=world.building_b.pk)
    inside = Household(building=building_a, unit="1", room="501", head_name="a")
    outside = Household(building=building_b, unit="1", room="501", head_name="b")
    with pytest.raises(PermissionDenied):
        services.households_import(
            households_new=[inside, outside],
            households_changed=[],
            changed_fields=[],
            actor=world.secretary_a,
            via="x.csv",
        )
    assert not Household.objects.filter(room="501").exists()


def test_changing_a_residents_id_number_in_the_admin_is_recorded(login, world):
    resident = ResidentFactory(household=world.household_a, name="李四")
    response = login(world.secretary_a).post(
        reverse("admin:grids_resident_change", args=[resident.pk]),
        {
            "name": "李四",
            "household": world.household_a.pk,
            "relation": "child",
            "gender": "",
            "birth_date": "",
            "phone": "",
            "id_number": "11010519491231002X",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    (entry,) = _changes()
    assert (entry.subject_id, entry.fields, entry.detail) == (
        str(resident.pk),
        "id_number",
        "管理后台：修改 1 条",
    )
    assert entry.grid == world.grid_a


def test_a_new_household_without_personal_data_is_not_recorded(world):
    household = Household(building=world.building_a, unit="2", room="909", head_name="x")
    services.household_save(household=household, actor=world.secretary_a, via=ADMIN)
    assert household.pk and household.grid == world.grid_a
    assert not PersonalDataLog.objects.exists()
