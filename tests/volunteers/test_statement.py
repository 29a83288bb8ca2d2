import datetime
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import record_for
from tests.volunteers.conftest import finished
from volunteers.models import ServiceStatement
from volunteers.services import service_records_verify


@pytest.fixture
def served(crew):
    finished(crew.activity)
    record_for(crew.activity, crew.member, hours="2.5")
    service_records_verify(activity=crew.activity, user=crew.leader_user)
    return crew


_LONG_AGO = (timezone.localdate() - datetime.timedelta(days=700)).isoformat()
_LATER = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()


def _period(day_from=_LONG_AGO, day_to=_LATER):
    return {"date_from": day_from, "date_to": day_to}


def test_a_volunteer_prints_their_record_of_service(served, login, tmp_path):
    response = login(served.member_user).post(reverse("volunteers:my_statement"), _period())
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    statement = ServiceStatement.objects.get()
    assert statement.serial.startswith("FW") and statement.hours == 2.5 and statement.records == 1
    assert statement.serial in response["Content-Disposition"]
    path = tmp_path / "record.pdf"
    path.write_bytes(response.content)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "志愿服务记录" in text and statement.serial in text
        assert "110105********002X" in text and "11010519491231002X" not in text  # masked
        assert "2.5" in text
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        cjk = [line for line in fonts.splitlines() if "CJK" in line]
        assert cjk and all(" yes " in line for line in cjk)  # embedded


def test_unverified_hours_are_left_out(crew, login):
    finished(crew.activity)
    record_for(crew.activity, crew.member, hours="3")
    login(crew.member_user).post(reverse("volunteers:my_statement"), _period())
    statement = ServiceStatement.objects.get()
    assert statement.records == 0 and statement.hours == 0


def test_each_print_gets_its_own_serial(served, login):
    client = login(served.member_user)
    client.post(reverse("volunteers:my_statement"), _period())
    client.post(reverse("volunteers:my_statement"), _period())
    serials = list(ServiceStatement.objects.values_list("serial", flat=True))
    assert len(set(serials)) == 2


def test_a_bad_period_is_explained(served, login):
    response = login(served.member_user).post(
        reverse("volunteers:my_statement"), _period("2026-05-01", "2026-01-01")
    )
    assert response.status_code == 400 and "起始日期不能晚于截止日期" in response.content.decode()
    assert not ServiceStatement.objects.exists()


def test_staff_print_for_volunteers_in_their_scope_only(served, login, world):
    url = reverse("volunteers:volunteer_statement", args=[served.member.pk])
    assert login(world.secretary_a).post(url, _period()).status_code == 200
    assert login(world.secretary_b).post(url, _period()).status_code == 404
    assert ServiceStatement.objects.count() == 1


def test_volunteers_cannot_print_someone_else_s_record(served, login, world):
    url = reverse("volunteers:volunteer_statement", args=[served.leader.pk])
    assert login(served.member_user).post(url, _period()).status_code in (403, 404)
    assert not ServiceStatement.objects.exists()


def test_a_login_without_a_volunteer_record_gets_an_explanation(login, world):
    response = login(world.volunteer).get(reverse("volunteers:my_statement"))
    assert response.status_code == 403 and "尚未登记志愿者" in response.content.decode()


def test_statements_are_listed_read_only_in_the_admin(served, login, world):
    login(served.member_user).post(reverse("volunteers:my_statement"), _period())
    statement = ServiceStatement.objects.get()
    client = login(world.street_staff)
    assert (
        client.get(reverse("admin:volunteers_servicestatement_change", args=[statement.pk])).status_code
        == 200
    )
    assert (
        client.post(
            reverse("admin:volunteers_servicestatement_delete", args=[statement.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
