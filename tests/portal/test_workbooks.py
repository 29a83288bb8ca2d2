"""One workbook style for every file the portal writes, read back with openpyxl.

Every admin export, the dashboard's and the report's workbooks, the service
records and the import preview's download: a bold, frozen header, every column
given a width, sheet titles Excel accepts, dates as dates and numbers as
numbers, and admin exports named in Chinese with the local date.
"""

import datetime
import io
import re
from urllib.parse import unquote

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

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

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$")
BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def assert_portal_style(content, where):
    book = load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        here = f"{where} / {sheet.title}"
        assert 0 < len(sheet.title) <= 31 and not BAD_TITLE.search(sheet.title), here
        assert sheet.title != "Tablib Dataset", here
        if sheet.max_row < 1 or sheet["A1"].value is None:
            continue
        assert sheet.freeze_panes == "A2", here
        header = next(sheet.iter_rows(min_row=1, max_row=1))
        assert all(cell.font.bold for cell in header if cell.value is not None), here
        for cell in header:
            width = sheet.column_dimensions[cell.column_letter].width
            assert width and width >= 6, f"{here}: column {cell.column_letter} has no width"
        for row in sheet.iter_rows(min_row=2, values_only=True):
            for value in row:
                assert not (isinstance(value, str) and ISO_DATE.match(value)), (
                    f"{here}: date as text {value!r}"
                )
    return book


@pytest.fixture
def filled(march, world):  # noqa: F811 (the fixture imported above)
    VisitFactory(household=world.household_a, visitor=world.gridworker_a)
    team = VolunteerTeamFactory(community=world.community_a)
    activity = ActivityFactory(team=team)
    record_for(activity, VolunteerFactory(community=world.community_a), verified_by=world.secretary_a)
    GridAssignmentFactory(grid=world.grid_a, person=world.gridworker_a, start_date=datetime.date(2026, 1, 5))
    DualReportFactory(volunteer__community=world.community_a)
    ResourceFactory(unit=march.aw.unit_a, available_from=datetime.date(2026, 2, 1), quantity=3)
    report_services.report_build(
        alliance=march.aw.street_alliance, month=MARCH, via=MonthlyReport.BuiltVia.COMMAND
    )
    return march


def test_every_admin_export_has_the_portal_style_and_a_chinese_dated_name(filled, login, world):
    client = login(world.superuser)
    today = timezone.localdate().isoformat()
    checked = []
    for model, model_admin in admin.site._registry.items():
        if not hasattr(model_admin, "get_export_formats"):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")
        page = client.get(url)
        form = page.context["form"]
        assert form.initial.get("format") == "0" and ("", "---") not in form.fields["format"].choices
        labels = [f.label for f in form.fields.values() if f.__class__.__name__ == "BooleanField"]
        assert labels and all(re.search(r"[\u4e00-\u9fff]", label) for label in labels), labels
        assert not any("(" in label for label in labels), labels
        html = page.content.decode()
        assert "全选" in html and "Select all" not in html
        data = {n: "on" for n, f in form.fields.items() if f.__class__.__name__ == "BooleanField"}
        response = client.post(url, {**data, "format": "0", "resource": "0"})
        assert response.status_code == 200, model
        name = unquote(response["Content-Disposition"].split("''", 1)[1])
        plural = str(model._meta.verbose_name_plural)
        assert name == f"{plural}-{today}.xlsx", name
        book = assert_portal_style(response.content, name)
        assert book.sheetnames == [plural]
        checked.append(plural)
    assert len(checked) == 8


def test_dates_and_numbers_in_exports_are_real_dates_and_numbers(filled, login, world):
    client = login(world.superuser)

    def export(model_name, app="grids"):
        url = reverse(f"admin:{app}_{model_name}_export")
        form = client.get(url).context["form"]
        data = {n: "on" for n, f in form.fields.items() if f.__class__.__name__ == "BooleanField"}
        sheet = load_workbook(
            io.BytesIO(client.post(url, {**data, "format": "0", "resource": "0"}).content)
        ).active
        headers = [c.value for c in sheet[1]]
        return [dict(zip(headers, row, strict=False)) for row in sheet.iter_rows(min_row=2, values_only=True)]

    duty = export("gridassignment")[0]
    assert duty["开始日期"] == datetime.datetime(2026, 1, 5)
    building = export("building")[0]
    assert isinstance(building["单元数"], int) and isinstance(building["层数"], int)
    resource = export("resource", app="alliances")[0]
    assert resource["数量"] == 3 and resource["可用起始日期"] == datetime.datetime(2026, 2, 1)
    visit = export("visit")[0]
    assert isinstance(visit["走访时间"], datetime.datetime) and visit["需要跟进"] in ("是", "否")


def test_every_workbook_view_has_the_portal_style(filled, login, world):
    client = login(world.superuser)
    today = datetime.date.today()
    pages = {
        "dashboard": reverse("dashboard:xlsx"),
        "monthly report": f"/reports/monthly/{filled.aw.street_alliance.pk}/2026-03.xlsx",
        "service records": reverse("volunteers:records_export")
        + f"?date_from={today.replace(year=today.year - 2):%Y-%m-%d}&date_to={today:%Y-%m-%d}&mapping=default",
    }
    for where, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, where
        assert_portal_style(response.content, where)
