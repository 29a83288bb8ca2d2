"""The 双报到 sheet never loses data: an empty cell keeps the stored value; （清空） clears it."""

import datetime

import tablib
from django.forms.models import model_to_dict

from tests.factories import DualReportFactory, VolunteerFactory
from volunteers.resources import DualReportResource


def _run(user, headers, *rows):
    result = DualReportResource(user=user).import_data(tablib.Dataset(*rows, headers=headers))
    assert not result.has_errors() and not result.has_validation_errors(), [
        (r.number, r.error_dict) for r in result.invalid_rows
    ]


def test_a_report_sheet_with_only_the_number_and_the_status_changes_only_the_status(world):
    volunteer = VolunteerFactory(
        community=world.community_a,
        is_party_member=True,
        work_unit="区人民医院",
        party_organisation="区人民医院党委",
    )
    report = DualReportFactory(
        volunteer=volunteer, reported_on=datetime.date(2026, 3, 1), note="已联系", status="reported"
    )
    before, person_before = model_to_dict(report), model_to_dict(volunteer)
    headers = [
        "志愿者编号", "姓名", "性别", "手机号", "证件类型", "证件号码", "所在党组织",
        "工作单位", "报到社区编码", "报到日期", "报到状态", "备注",
    ]  # fmt: skip
    row = [volunteer.number, "", "", "", "", "", "", "", "", "", "待报到", ""]
    _run(world.secretary_a, headers, row)
    report.refresh_from_db()
    volunteer.refresh_from_db()
    assert model_to_dict(report) == {**before, "status": "pending"}
    assert model_to_dict(volunteer) == person_before

    _run(
        world.secretary_a,
        ["志愿者编号", "所在党组织", "报到日期", "备注"],
        [volunteer.number, "（清空）", "(清空)", "（清空）"],
    )
    report.refresh_from_db()
    volunteer.refresh_from_db()
    assert (report.reported_on, report.note, report.work_unit) == (None, "", "区人民医院")
    assert volunteer.party_organisation == ""
