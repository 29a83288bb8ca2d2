import io

import pytest
import tablib
from django.urls import reverse

from portal.models import PersonalDataLog
from tests.factories import DualReportFactory, VolunteerFactory
from volunteers.models import DualReport, Volunteer
from volunteers.resources import DualReportResource, VolunteerWidget

HEADERS = [
    "志愿者编号",
    "姓名",
    "性别",
    "手机号",
    "证件类型",
    "证件号码",
    "所在党组织",
    "工作单位",
    "报到社区编码",
    "报到日期",
    "报到状态",
    "备注",
]
GOOD_ID = "11010519491231002X"
OTHER_ID = "110105194912310038"


def _sheet(*rows):
    data = tablib.Dataset(headers=HEADERS)
    for row in rows:
        data.append([row.get(h, "") for h in HEADERS])
    return data


def _row(world, **cells):
    base = {
        "姓名": "赵党员",
        "性别": "男",
        "手机号": "13800001111",
        "证件类型": "居民身份证",
        "证件号码": GOOD_ID,
        "所在党组织": "区人民医院党委",
        "工作单位": "区人民医院",
        "报到社区编码": world.community_a.code,
        "报到日期": "2026-03-01",
        "报到状态": "已报到",
    }
    base.update(cells)
    return base


def _import(user, dataset, dry_run=False):
    return DualReportResource(user=user).import_data(dataset, dry_run=dry_run, raise_errors=False)


def _errors(result):
    found = {}
    for row in result.invalid_rows:
        found[row.number] = " ".join(str(e) for errors in row.error_dict.values() for e in errors)
    for number, errors in result.row_errors():
        found[number] = " ".join(str(e.error) for e in errors)
    return found


def test_a_dry_run_previews_and_saves_nothing(world):
    result = _import(world.secretary_a, _sheet(_row(world)), dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert not DualReport.objects.exists() and not Volunteer.objects.exists()


def test_importing_registers_the_party_member_and_the_report(world):
    result = _import(world.secretary_a, _sheet(_row(world)))
    assert not result.has_errors() and not result.has_validation_errors()
    report = DualReport.objects.get()
    volunteer = report.volunteer
    assert volunteer.is_party_member and volunteer.work_unit == "区人民医院"
    assert volunteer.party_organisation == "区人民医院党委" and volunteer.number
    assert report.community == world.community_a and report.status == "reported"


def test_the_volunteer_widget_only_looks_up(world):
    widget = VolunteerWidget()
    widget.user = world.secretary_a
    volunteer = widget.clean("", row=_row(world))
    assert volunteer.pk is None and volunteer.id_number == GOOD_ID
    assert volunteer.community == world.community_a
    assert not Volunteer.objects.exists()


def test_a_registered_party_member_is_recorded_in_the_access_log(world):
    data = _sheet(_row(world), _row(world, 证件号码=OTHER_ID, 手机号="", 姓名="钱党员"))
    result = DualReportResource(user=world.secretary_a).import_data(data, file_name="双报到.xlsx")
    assert not result.has_errors() and not result.has_validation_errors()
    zhao, qian = Volunteer.objects.get(name="赵党员"), Volunteer.objects.get(name="钱党员")
    entries = PersonalDataLog.objects.filter(action="change").order_by("pk")
    assert [(e.subject_id, e.fields, e.detail, e.grid) for e in entries] == [
        (str(zhao.pk), "phone,id_number", "双报到.xlsx：新建 1 条", world.community_a),
        (str(qian.pk), "id_number", "双报到.xlsx：新建 1 条", world.community_a),
    ]


def test_a_dry_run_records_nothing_in_the_access_log(world):
    _import(world.secretary_a, _sheet(_row(world)), dry_run=True)
    assert not PersonalDataLog.objects.exists()


def test_importing_the_same_sheet_twice_updates_instead_of_duplicating(world):
    _import(world.secretary_a, _sheet(_row(world, 报到状态="待报到", 报到日期="")))
    _import(world.secretary_a, _sheet(_row(world)))
    assert DualReport.objects.count() == 1 and Volunteer.objects.count() == 1
    assert DualReport.objects.get().status == "reported"


def test_an_exported_sheet_with_masked_numbers_imports_back_by_volunteer_number(world, login):
    report = DualReportFactory(volunteer__community=world.community_a, volunteer__id_number=GOOD_ID)
    exported = DualReportResource(user=world.street_staff).export()
    assert GOOD_ID in exported.csv  # staff may see personal data
    masked = tablib.Dataset(headers=exported.headers)
    for row in exported:
        values = dict(zip(exported.headers, row, strict=True))
        values["证件号码"] = "110105********002X"
        values["报到状态"] = "已转出"
        masked.append([values[h] for h in exported.headers])
    result = _import(world.secretary_a, masked)
    assert not result.has_errors() and not result.has_validation_errors()
    report.refresh_from_db()
    assert report.status == "transferred" and report.volunteer.id_number == GOOD_ID


def test_a_bad_row_is_reported_with_its_number_and_nothing_is_saved(world):
    sheet = _sheet(
        _row(world),
        _row(world, 证件号码="110105194912310037", 姓名="钱党员"),  # wrong check digit
        _row(world, 证件号码=OTHER_ID, 报到社区编码=world.community_b.code),  # outside secretary A's scope
        _row(world, 证件号码="110105195001010012", 报到状态="报过了"),
        _row(world, 证件号码="110105195001010020", 报到日期=""),
    )
    result = _import(world.secretary_a, sheet)
    errors = _errors(result)
    assert set(errors) == {2, 3, 4, 5}
    assert "校验位" in errors[2]
    assert "不在您的管辖范围内" in errors[3]
    assert "报到状态" in errors[4]
    assert "报到日期" in errors[5]
    assert not DualReport.objects.exists() and not Volunteer.objects.exists()


def test_the_same_person_twice_in_a_sheet_is_an_error(world):
    result = _import(world.secretary_a, _sheet(_row(world), _row(world, 报到状态="待报到", 报到日期="")))
    assert "同一名党员" in _errors(result)[2]
    assert not DualReport.objects.exists()


def test_a_person_registered_in_another_community_is_not_revealed(world):
    VolunteerFactory(community=world.community_b, id_number=GOOD_ID)
    result = _import(world.secretary_a, _sheet(_row(world)))
    assert "已在其他社区登记" in _errors(result)[1]
    assert not DualReport.objects.exists()


def test_the_admin_import_preview_lists_row_errors(world, login):
    client = login(world.secretary_a)
    data = _sheet(_row(world, 证件号码="123"))
    upload = io.BytesIO(data.export("csv").encode("utf-8"))
    upload.name = "双报到.csv"
    response = client.post(
        reverse("admin:volunteers_dualreport_import"), {"import_file": upload, "format": "1", "resource": "0"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "身份证号应为18位" in html
    assert not DualReport.objects.exists()


@pytest.fixture
def reports(world):
    done = DualReportFactory(
        volunteer__community=world.community_a, volunteer__work_unit="区税务局", work_unit="区税务局"
    )
    waiting = DualReportFactory(
        volunteer__community=world.community_a,
        volunteer__work_unit="区税务局",
        work_unit="区税务局",
        status="pending",
        reported_on=None,
    )
    never = VolunteerFactory(community=world.community_b, is_party_member=True, work_unit="区人民医院")
    VolunteerFactory(community=world.community_b, is_party_member=True)  # retired: no work unit
    DualReportFactory(volunteer__community=world.community_c)  # another street
    return done, waiting, never


def test_the_lists_show_who_has_and_has_not_reported(reports, world, login):
    done, waiting, never = reports
    client = login(world.street_staff)
    html = client.get(reverse("volunteers:dual_reports")).content.decode()
    assert "兰苑社区" in html and "金港社区" in html and "民主社区" not in html
    missing = client.get(
        reverse("volunteers:dual_reports"), {"community": world.community_a.pk, "reported": "0"}
    )
    names = missing.content.decode()
    assert waiting.volunteer.name in names and done.volunteer.name not in names
    by_unit = client.get(
        reverse("volunteers:dual_reports"), {"unit": "区人民医院", "reported": "0"}
    ).content.decode()
    assert never.name in by_unit


def test_a_secretary_sees_only_their_community(reports, world, login):
    html = login(world.secretary_b).get(reverse("volunteers:dual_reports")).content.decode()
    assert "金港社区" in html and "兰苑社区" not in html


def test_volunteers_cannot_open_the_lists(crew, login):
    assert login(crew.member_user).get(reverse("volunteers:dual_reports")).status_code == 403
