"""Every spreadsheet the portal hands out is written by one writer that neutralises formulas.

Text typed by less-trusted users (a visit's findings, an activity's title, a
resident's wish) must never reach a workbook or CSV as a live formula.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import reverse
from openpyxl import load_workbook

from portal.xlsx import workbook_bytes
from reports import services as report_services
from reports.models import MonthlyReport
from tests.alliances.conftest import aw  # noqa: F401 (fixture)
from tests.alliances.report_world import MARCH, march  # noqa: F401 (fixture)
from tests.factories import (
    ActivityFactory,
    DualReportFactory,
    GridAssignmentFactory,
    ResourceFactory,
    VisitFactory,
    VolunteerFactory,
    VolunteerTeamFactory,
    record_for,
)

HOSTILE = [
    '=HYPERLINK("http://evil.example/","点我")',
    '+1+cmd|" /C calc"!A0',
    '-2+3+cmd|" /C calc"!A0',
    '@SUM(1+1)*cmd|" /C calc"!A0',
    "\t=1+1",
    "\r=1+1",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PORTAL_APPS = {"portal", "grids", "volunteers", "alliances", "wishes"}
SKIPPED_FIELDS = {"password", "username"}


def _text_fields(model):
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not f.choices
        and f.name not in SKIPPED_FIELDS
        and not f.primary_key
    ]


def _poison_every_text_field():
    """Every free-text column of every portal row starts with a formula character.

    Each value ends with the row's id, so unique columns stay unique.
    """
    for model in apps.get_models():
        if model._meta.app_label not in PORTAL_APPS or model._meta.proxy:
            continue
        fields = _text_fields(model)
        if not fields:
            continue
        manager = model._base_manager
        for pk in list(manager.values_list("pk", flat=True)):
            values = {}
            for index, field in enumerate(fields):
                suffix = str(pk)
                head = HOSTILE[index % len(HOSTILE)]
                if field.max_length:
                    head = head[: field.max_length - len(suffix)]
                values[field.attname] = head + suffix
            manager.filter(pk=pk).update(**values)


def _assert_inert_workbook(data, where):
    book = load_workbook(io.BytesIO(data))
    escaped = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{where}: formula in {sheet.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_START), (
                        f"{where}: {sheet.title}!{cell.coordinate} = {cell.value!r}"
                    )
                    escaped += cell.value.startswith("'")
    assert escaped, f"{where}: no hostile text reached the file, so nothing was checked"


def _assert_inert_csv(text, where):
    escaped = 0
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        for value in row:
            if value.startswith("-") and value[1:].replace(".", "", 1).isdigit():
                continue  # a negative number is a number
            assert not value.startswith(FORMULA_START), f"{where}: {value!r}"
            escaped += value.startswith("'")
    assert escaped, f"{where}: no hostile text reached the file, so nothing was checked"


def _export_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if hasattr(model_admin, "get_export_formats")
    ]


@pytest.fixture
def hostile(march, world):  # noqa: F811 (the fixture imported above)
    """The March report world, a visit and a verified service record, then every text made hostile."""
    VisitFactory(household=world.household_a, visitor=world.gridworker_a)
    VisitFactory(household=world.household_b, visitor=world.gridworker_a)
    team = VolunteerTeamFactory(community=world.community_a)
    activity = ActivityFactory(team=team)
    record_for(activity, VolunteerFactory(community=world.community_a), verified_by=world.secretary_a)
    GridAssignmentFactory(grid=world.grid_a, person=world.gridworker_a)
    DualReportFactory(volunteer__community=world.community_a)
    ResourceFactory(unit=march.aw.unit_a)
    _poison_every_text_field()
    report_services.report_build(
        alliance=march.aw.street_alliance, month=MARCH, via=MonthlyReport.BuiltVia.COMMAND
    )
    return march


def test_every_admin_export_neutralises_formulas_in_xlsx_and_csv(hostile, login, world):
    client = login(world.superuser)
    walked = []
    for model, model_admin in _export_admins():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")
        form = client.get(url).context["form"]
        for index, fmt in enumerate(model_admin.get_export_formats()):
            data = {
                name: "on"
                for name, field in form.fields.items()
                if field.__class__.__name__ == "BooleanField"
            }
            data.update(format=str(index), resource="0")
            response = client.post(url, data)
            where = f"{model.__name__} as {fmt().get_title()}"
            assert response.status_code == 200, where
            if fmt().is_binary():
                _assert_inert_workbook(response.content, where)
            else:
                _assert_inert_csv(response.content.decode("utf-8"), where)
            walked.append(where)
    # Buildings, households, grid workers, visits, 双报到, units, resources and needs, twice each.
    assert len(walked) == 16


def test_every_workbook_view_neutralises_formulas(hostile, login, world):
    client = login(world.superuser)
    today = datetime.date.today()
    pages = {
        "dashboard": reverse("dashboard:xlsx"),
        "monthly report": f"/reports/monthly/{hostile.aw.street_alliance.pk}/2026-03.xlsx",
        "service records": reverse("volunteers:records_export")
        + f"?date_from={today.replace(year=today.year - 2):%Y-%m-%d}&date_to={today:%Y-%m-%d}&mapping=default",
    }
    for where, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, where
        assert "spreadsheetml" in response["Content-Type"], where
        _assert_inert_workbook(response.content, where)


def test_the_writer_keeps_numbers_and_dates_and_escapes_only_text():
    when = datetime.datetime(2026, 3, 12, 14, 30, tzinfo=datetime.UTC)
    data = workbook_bytes(
        [
            (
                "积分",
                ["名称", "积分", "日期", "时间", "备注"],
                [
                    ["=1+1", -5, datetime.date(2026, 3, 1), when, "-5"],
                    ["@me", Decimal("-2.5"), "2026-03-02", "2026-03-12 14:30", "-3 + cmd"],
                ],
            )
        ]
    )
    sheet = load_workbook(io.BytesIO(data))["积分"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][0] == "'=1+1" and rows[1][0] == "'@me"
    assert rows[0][1] == -5 and rows[1][1] == -2.5
    assert rows[0][4] == -5  # a negative number that came as text is still a number
    assert rows[1][4] == "'-3 + cmd"
    assert rows[0][2] == datetime.datetime(2026, 3, 1) and rows[1][2] == datetime.datetime(2026, 3, 2)
    assert rows[0][3] == datetime.datetime(2026, 3, 12, 22, 30)  # local time, Asia/Shanghai
    assert sheet["C2"].number_format == "yyyy-mm-dd"


def test_the_writer_freezes_a_bold_header_and_fits_the_columns():
    data = workbook_bytes(
        [("名单", ["姓名", "住址"], [["王秀英", "兰苑社区3号楼2单元301室，靠近东门的那一栋"]])]
    )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold and not sheet["A2"].font.bold
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width >= 6


def test_sheet_titles_are_unique_and_short_whatever_the_input():
    data = workbook_bytes([("a" * 40, ["x"], []), ("a" * 40, ["x"], []), ("'[]'", ["x"], [])])
    names = load_workbook(io.BytesIO(data)).sheetnames
    assert len(set(names)) == 3 and all(0 < len(n) <= 31 for n in names)


def test_csv_escapes_text_but_not_numbers():
    from portal.xlsx import csv_text

    text = csv_text(["名称", "积分"], [["=cmd", -5], ["-5", "-2+3"], ["\tx", Decimal("1.5")]])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1] == ["'=cmd", "-5"]
    assert rows[2] == ["-5", "'-2+3"]
    assert rows[3] == ["'\tx", "1.5"]
