import datetime
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from portal.models import PersonalDataLog
from tests.factories import ActivityFactory, VolunteerFactory, VolunteerTeamFactory, record_for
from tests.volunteers.conftest import finished
from volunteers.exports import parse_columns
from volunteers.models import ExportMapping


@pytest.fixture
def records(crew, world):
    finished(crew.activity)
    verified = record_for(crew.activity, crew.member, hours="2.5", verified_by=world.secretary_a)
    pending = record_for(
        crew.activity, VolunteerFactory(community=world.community_a, name="未核验"), hours="3"
    )
    elsewhere = finished(ActivityFactory(team=VolunteerTeamFactory(community=world.community_b)))
    other = record_for(
        elsewhere, VolunteerFactory(community=world.community_b, name="金港人"), verified_by=world.secretary_b
    )
    return verified, pending, other


def _sheet(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    return rows[0], rows[1:]


_LONG_AGO = (timezone.localdate() - datetime.timedelta(days=700)).isoformat()
_LATER = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()


def _period(**extra):
    return {"date_from": _LONG_AGO, "date_to": _LATER, "mapping": "default", **extra}


def test_the_default_layout_is_the_national_upload_template(records, world, login):
    response = login(world.secretary_a).get(reverse("volunteers:records_export"), _period())
    assert response.status_code == 200
    headers, rows = _sheet(response)
    assert headers[:4] == ("姓名", "证件类型", "证件号码", "手机号码") and "服务时长" in headers
    assert [r[0] for r in rows] == ["李志愿"]  # verified only, and only in scope
    assert rows[0][2] == "11010519491231002X" and rows[0][headers.index("服务时长")] == 2.5
    log = PersonalDataLog.objects.get(action="export")
    assert log.actor == world.secretary_a and "id_number" in log.fields


def test_staff_without_the_personal_data_permission_get_masked_numbers(records, world, login):
    world.secretary_a.groups.first().permissions.remove(Permission.objects.get(codename="view_personal_data"))
    headers, rows = _sheet(login(world.secretary_a).get(reverse("volunteers:records_export"), _period()))
    assert rows[0][2] == "110105********002X"
    assert not PersonalDataLog.objects.filter(action="export").exists()


def test_a_saved_column_layout_renames_and_reorders(records, world, login):
    mapping = ExportMapping.objects.create(
        name="区志愿者系统",
        owner=world.community_a,
        columns=[["时长", "hours"], ["志愿者", "name"], ["活动", "activity"]],
    )
    headers, rows = _sheet(
        login(world.secretary_a).get(reverse("volunteers:records_export"), _period(mapping=mapping.pk))
    )
    assert headers == ("时长", "志愿者", "活动") and rows == [(2.5, "李志愿", "走访慰问空巢老人")]


def test_another_community_s_layout_cannot_be_used(records, world, login):
    mapping = ExportMapping.objects.create(
        name="金港模板", owner=world.community_b, columns=[["姓名", "name"]]
    )
    response = login(world.secretary_a).get(reverse("volunteers:records_export"), _period(mapping=mapping.pk))
    assert response.status_code == 400 and "选择一个有效的选项" in response.content.decode()


def test_one_activity_can_be_exported_alone(records, world, login, crew):
    response = login(world.street_staff).get(
        reverse("volunteers:records_export"), _period(activity=crew.activity.pk)
    )
    _headers, rows = _sheet(response)
    assert [r[0] for r in rows] == ["李志愿"]


def test_a_bad_period_is_explained(world, login):
    response = login(world.secretary_a).get(
        reverse("volunteers:records_export"), _period(date_from="2026-05-01", date_to="2026-01-01")
    )
    assert response.status_code == 400 and "起始日期不能晚于截止日期" in response.content.decode()


def test_volunteers_cannot_export(crew, login):
    assert login(crew.member_user).get(reverse("volunteers:records_export"), _period()).status_code == 403


def test_column_layouts_are_checked_line_by_line():
    assert parse_columns("姓名 = name\n证件号码=id_number\n\n") == [
        ["姓名", "name"],
        ["证件号码", "id_number"],
    ]
    with pytest.raises(Exception) as error:
        parse_columns("姓名 = name\n身份证 = id_card\n只有表头")
    text = " ".join(error.value.messages)
    assert "第 2 行" in text and "id_card" in text and "第 3 行" in text


def test_the_admin_saves_a_layout_from_lines(world, login):
    client = login(world.secretary_a)
    response = client.post(
        reverse("admin:volunteers_exportmapping_add"),
        {"name": "社区模板", "owner": world.community_a.pk, "columns_text": "姓名 = name\n时长 = hours"},
    )
    assert response.status_code == 302
    assert ExportMapping.objects.get().columns == [["姓名", "name"], ["时长", "hours"]]
    bad = client.post(
        reverse("admin:volunteers_exportmapping_add"),
        {"name": "坏模板", "owner": world.community_a.pk, "columns_text": "姓名 = nope"},
    )
    assert bad.status_code == 200 and "nope" in bad.content.decode()
    assert ExportMapping.objects.count() == 1


def test_a_large_export_runs_in_the_background_with_the_same_rows_and_log(
    records, world, login, settings, tmp_path, django_capture_on_commit_callbacks
):
    from portal.models import Job

    settings.EXPORT_INLINE_MAX_ROWS = 0
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    client = login(world.secretary_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("volunteers:records_export"), _period())
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    job = Job.objects.get()
    assert job.status == "done" and job.result_name.startswith("志愿服务记录-")
    download = client.get(reverse("portal:job_file", args=[job.pk]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))[1:]
    assert [r[0] for r in rows] == ["李志愿"]
    assert PersonalDataLog.objects.get(action="export").actor == world.secretary_a
    assert login(world.secretary_b).get(reverse("portal:job_file", args=[job.pk])).status_code == 404
