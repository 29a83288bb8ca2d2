"""Spreadsheet import and export of buildings, households and grid workers."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from grids.models import Building, GridAssignment, Household
from grids.resources import HouseholdResource, PersonWidget
from portal.models import PersonalDataLog, User
from portal.roles import Role, has_role
from portal.services import user_create
from tests.factories import HouseholdFactory

CSV, XLSX = "1", "0"  # positions in IMPORT_FORMATS
HOUSEHOLD_HEADERS = [
    "网格编码",
    "楼栋",
    "单元",
    "房号",
    "户主姓名",
    "联系电话",
    "身份证号",
    "彩虹分类",
    "备注",
]


def _csv(headers, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return SimpleUploadedFile("sheet.csv", out.getvalue().encode("utf-8"), "text/csv")


def _xlsx(headers, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(
        "sheet.xlsx", out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def _import(client, model, upload, fmt=CSV, confirm=True):
    """Upload (dry run) and, if the preview allows it, confirm. Returns the preview response."""
    preview = client.post(
        reverse(f"admin:grids_{model}_import"), {"import_file": upload, "format": fmt, "resource": "0"}
    )
    assert preview.status_code == 200
    form = preview.context.get("confirm_form")
    if confirm and form is not None:
        done = client.post(reverse(f"admin:grids_{model}_process_import"), form.initial)
        assert done.status_code == 302
    return preview


def _invalid(preview):
    result = preview.context["result"]
    return {row.number: row.error_dict for row in result.invalid_rows}


def _household_rows(world):
    code = world.grid_a.code
    return [
        [code, "1号楼", "1", "201", "张桂兰", "13900001111", "", "孤寡", "独居老人"],
        [code, "1号楼", "2", "302", "李建国", "", "11010519491231002X", "军烈属", ""],
    ]


def test_a_dry_run_previews_and_saves_nothing(login, world):
    preview = _import(
        login(world.secretary_a), "household", _csv(HOUSEHOLD_HEADERS, _household_rows(world)), confirm=False
    )
    assert preview.context["result"].totals["new"] == 2
    assert "confirm_form" in preview.context
    assert Household.objects.count() == 2  # only the world's own


def test_households_import_then_reimport_updates_instead_of_duplicating(login, world):
    client = login(world.secretary_a)
    _import(client, "household", _xlsx(HOUSEHOLD_HEADERS, _household_rows(world)), fmt=XLSX)
    imported = Household.objects.get(building=world.building_a, unit="1", room="201")
    assert imported.category == Household.Category.SOLITARY
    assert imported.grid == world.grid_a  # derived from the building on the bulk path
    assert Household.objects.count() == 4

    rows = _household_rows(world)
    rows[0][7] = "空巢"
    preview = _import(client, "household", _csv(HOUSEHOLD_HEADERS, rows))
    assert preview.context["result"].totals["update"] == 2
    assert Household.objects.count() == 4
    imported.refresh_from_db()
    assert imported.category == Household.Category.EMPTY_NEST
    assert PersonalDataLog.objects.filter(action="import").count() == 2


@pytest.mark.parametrize(
    "column, value, message",
    [
        (5, "12345", "手机号"),
        (6, "110105194912310021", "校验位"),
        (7, "红色", "彩虹分类"),
        (1, "99号楼", "没有楼栋"),
        (3, "", "room"),
    ],
)
def test_one_bad_row_is_reported_with_its_number_and_nothing_is_imported(
    login, world, column, value, message
):
    rows = _household_rows(world)
    rows[1][column] = value
    preview = _import(login(world.secretary_a), "household", _csv(HOUSEHOLD_HEADERS, rows))
    invalid = _invalid(preview)
    assert list(invalid) == [2]
    assert message in str(invalid[2])
    assert "confirm_form" not in preview.context
    assert Household.objects.count() == 2


def test_a_secretary_cannot_import_into_another_community(login, world):
    rows = _household_rows(world)
    rows[1][0] = world.grid_b.code
    preview = _import(login(world.secretary_a), "household", _csv(HOUSEHOLD_HEADERS, rows))
    assert list(_invalid(preview)) == [2]
    assert "不在您的管辖范围内" in str(_invalid(preview)[2])
    assert not Household.objects.filter(building=world.building_b).exclude(pk=world.household_b.pk).exists()


def test_the_same_household_twice_in_one_file_is_an_error(login, world):
    rows = _household_rows(world)
    rows.append(list(rows[0]))
    preview = _import(login(world.secretary_a), "household", _csv(HOUSEHOLD_HEADERS, rows))
    assert list(_invalid(preview)) == [3]
    assert "第 1 行" in str(_invalid(preview)[3])
    assert Household.objects.count() == 2


def test_export_is_masked_without_the_permission_and_logged_with_it(world):
    HouseholdFactory(building=world.building_a, room="901", phone="13700001234")
    queryset = Household.objects.filter(grid=world.grid_a)
    masked = HouseholdResource(user=world.gridworker_a).export(queryset)
    assert "137****1234" in masked.csv and "13700001234" not in masked.csv
    assert not PersonalDataLog.objects.exists()

    secretary = User.objects.get(pk=world.secretary_a.pk)
    full = HouseholdResource(user=secretary).export(queryset)
    assert "13700001234" in full.csv
    assert PersonalDataLog.objects.get().action == "export"


def test_export_covers_only_the_scope(world):
    exported = HouseholdResource(user=User.objects.get(pk=world.secretary_a.pk)).export()
    assert exported.height == 1
    assert exported.dict[0]["网格编码"] == world.grid_a.code


def test_a_masked_export_imports_back_without_losing_numbers(login, world):
    exported = HouseholdResource(user=world.gridworker_a).export(Household.objects.filter(grid=world.grid_a))
    upload = SimpleUploadedFile("back.csv", exported.csv.encode("utf-8"), "text/csv")
    preview = _import(login(world.secretary_a), "household", upload)
    assert preview.context["result"].totals["update"] == 1
    world.household_a.refresh_from_db()
    assert world.household_a.phone == "13812348000"
    assert world.household_a.id_number == "11010519491231002X"


def test_buildings_import_by_grid_code_and_name(login, world):
    headers = ["网格编码", "楼栋", "地址", "单元数", "层数"]
    rows = [[world.grid_a.code, "8号楼", "民主西路8号", "3", "7"], [world.grid_a.code, "1号楼", "", "4", "6"]]
    client = login(world.secretary_a)
    _import(client, "building", _csv(headers, rows))
    assert Building.objects.get(grid=world.grid_a, name="8号楼").units == 3
    world.building_a.refresh_from_db()
    assert world.building_a.units == 4
    assert Building.objects.filter(grid=world.grid_a).count() == 2


def test_grid_worker_import_creates_the_login_with_role_and_scope(login, world):
    headers = ["账号", "姓名", "手机号", "职责", "网格编码", "楼栋", "单元", "开始日期", "结束日期"]
    rows = [
        ["gw-new", "赵红梅", "13600002222", "楼栋长", world.grid_a.code, "1号楼", "", "2026-01-01", ""],
        ["gw-new", "赵红梅", "13600002222", "网格员", world.grid_a.code, "", "", "2026-01-01", ""],
    ]
    client = login(world.secretary_a)
    _import(client, "gridassignment", _csv(headers, rows))
    person = User.objects.get(username="gw-new")
    assert person.full_name == "赵红梅" and not person.has_usable_password()
    assert has_role(person, Role.GRID_WORKER)
    assert person.staff_profile.scope == world.grid_a
    assert GridAssignment.objects.filter(person=person).count() == 2

    _import(client, "gridassignment", _csv(headers, rows))
    assert GridAssignment.objects.filter(person=person).count() == 2


def test_grid_worker_import_refuses_an_account_of_another_community(login, world):
    headers = ["账号", "姓名", "手机号", "职责", "网格编码", "楼栋", "单元", "开始日期", "结束日期"]
    rows = [["secretary_b", "冒名", "", "网格员", world.grid_a.code, "", "", "", ""]]
    preview = _import(login(world.secretary_a), "gridassignment", _csv(headers, rows))
    assert "已被其他单位使用" in str(_invalid(preview)[1])
    assert not GridAssignment.objects.exists()


GRID_WORKER_HEADERS = ["账号", "姓名", "手机号", "职责", "网格编码", "楼栋", "单元", "开始日期", "结束日期"]


def _new_worker_rows(world):
    return [
        ["gw-new", "赵红梅", "13600002222", "楼栋长", world.grid_a.code, "1号楼", "", "2026-01-01", ""],
        ["gw-new", "赵红梅", "13600002222", "网格员", world.grid_a.code, "", "", "2026-01-01", ""],
    ]


def test_a_grid_worker_preview_creates_no_login(login, world):
    users = User.objects.count()
    preview = _import(
        login(world.secretary_a),
        "gridassignment",
        _csv(GRID_WORKER_HEADERS, _new_worker_rows(world)),
        confirm=False,
    )
    assert preview.context["result"].totals["new"] == 2
    assert "confirm_form" in preview.context
    assert User.objects.count() == users and not GridAssignment.objects.exists()


def test_the_grid_worker_import_creates_a_new_login_once_through_the_service(login, world, monkeypatch):
    from grids import resources

    created = []

    def spy(**fields):
        created.append(fields)
        return user_create(**fields)

    monkeypatch.setattr(resources, "user_create", spy)
    _import(login(world.secretary_a), "gridassignment", _csv(GRID_WORKER_HEADERS, _new_worker_rows(world)))
    # Once in the preview (rolled back) and once on confirm; the second row finds the login.
    assert created == [{"username": "gw-new", "full_name": "赵红梅", "phone": "13600002222"}] * 2
    assert GridAssignment.objects.filter(person__username="gw-new").count() == 2


def test_the_person_widget_only_looks_up(world):
    widget = PersonWidget()
    widget.user = world.secretary_a
    person = widget.clean("gw-new", row={"姓名": "赵红梅", "手机号": "13600002222"})
    assert person.pk is None and person.full_name == "赵红梅"
    assert not User.objects.filter(username="gw-new").exists()
    with pytest.raises(ValueError, match="需要填写姓名"):
        widget.clean("gw-other", row={})
