"""The report's page, PDF and workbook: who may open them, what they show, bad URLs."""

import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from portal.roles import Role
from reports import services
from reports.models import MonthlyReport
from tests.alliances.report_world import MARCH, at
from tests.factories import make_user
from tests.utils import requires_chromium


@pytest.fixture
def built(march):
    return services.report_build(
        alliance=march.alliance, month=MARCH, via=MonthlyReport.BuiltVia.COMMAND, now=at(4, 1, 2)
    )


def url(alliance, suffix="/", month="2026-03"):
    return f"/reports/monthly/{alliance.pk}/{month}{suffix}"


def test_street_staff_read_the_report_page(login, march, built):
    response = login(march.aw.world.street_staff).get(url(march.alliance))
    assert response.status_code == 200
    page = response.content.decode()
    assert "2026年3月联席会议月度报告" in page
    assert "街道供电所" in page  # the chair unit
    assert "四点半课堂" in page and "三月开展两次课后辅导" in page
    assert "电动车充电设施" in page
    assert "学校门口上下学时段交通拥堵" in page
    assert 'action="/reports/monthly/' in page  # staff may build it again


def test_a_member_units_liaison_reads_it_but_cannot_build_it(login, march, built):
    client = login(march.aw.liaison_a)
    response = client.get(url(march.alliance))
    assert response.status_code == 200
    assert "重新生成" not in response.content.decode()
    assert client.post(url(march.alliance, "/build/")).status_code == 403
    assert client.get(url(march.alliance, ".pdf")).status_code == 200
    assert client.get(url(march.alliance, ".xlsx")).status_code == 200


@pytest.mark.parametrize("suffix", ["/", ".pdf", ".xlsx"])
def test_everyone_else_is_refused(client, login, march, built, suffix):
    aw = march.aw
    other_secretary = make_user(Role.COMMUNITY_SECRETARY, aw.world.community_c, username="secretary_c")
    target = url(march.alliance, suffix)
    assert client.get(target).status_code == 302  # anonymous: to the sign-in page
    for user in (
        other_secretary,  # a secretary of another street
        aw.other_staff,  # street staff of another street
        aw.world.secretary_b,  # a secretary of this street: the street's alliance is above their community
        aw.liaison_c,  # the liaison of a unit of another alliance
        aw.world.volunteer,
        aw.world.gridworker_a,
        aw.world.unscoped_staff,
    ):
        assert login(user).get(target).status_code == 404, user.username


def test_a_secretary_reads_their_own_communitys_committee_report(login, march):
    services.report_build(alliance=march.aw.committee_a, month=MARCH, via=MonthlyReport.BuiltVia.COMMAND)
    response = login(march.aw.world.secretary_a).get(url(march.aw.committee_a))
    assert response.status_code == 200
    assert "兰苑社区区域化党委委员会" in response.content.decode()
    assert login(march.aw.world.secretary_a).get(url(march.alliance)).status_code == 404


def test_refused_users_cannot_build_either(login, march):
    for user in (march.aw.other_staff, march.aw.world.volunteer):
        assert login(user).post(url(march.alliance, "/build/")).status_code == 404
    assert login(march.aw.liaison_a).post(url(march.alliance, "/build/")).status_code == 403
    assert not MonthlyReport.objects.exists()


def test_a_month_without_a_report_offers_staff_the_build_button(
    login, march, django_capture_on_commit_callbacks
):
    client = login(march.aw.world.street_staff)
    response = client.get(url(march.alliance))
    assert response.status_code == 200
    page = response.content.decode()
    assert "2026年3月的报告还没有生成" in page
    assert f'action="{url(march.alliance, "/build/")}"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(march.alliance, "/build/"))
    # In a test the job runs when the test's transaction would commit, after the answer: its page
    # shows the link to the report (outside a test, eager Celery runs it before the answer).
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    job_page = client.get(response["Location"]).content.decode()
    assert f'href="{url(march.alliance)}"' in job_page
    report = MonthlyReport.objects.get(alliance=march.alliance, month=MARCH)
    assert (report.built_via, report.built_by) == ("page", march.aw.world.street_staff)
    assert "街道供电所" in client.get(url(march.alliance)).content.decode()


def test_a_liaison_is_told_the_report_is_not_built_yet(login, march):
    response = login(march.aw.liaison_b).get(url(march.alliance))
    assert response.status_code == 200
    page = response.content.decode()
    assert "2026年3月的报告还没有生成" in page
    assert "/build/" not in page


@pytest.mark.parametrize("suffix", [".pdf", ".xlsx"])
def test_files_of_a_month_not_built_lead_to_its_page(login, march, suffix):
    response = login(march.aw.world.street_staff).get(url(march.alliance, suffix))
    assert response.status_code == 302 and response["Location"] == url(march.alliance)


@pytest.mark.parametrize(
    "month, message",
    [
        ("2026-13", "YYYY-MM"),
        ("2026-3", "YYYY-MM"),
        ("march", "YYYY-MM"),
        ("2999-01", "未来"),
        ("1999-12", "2000"),
    ],
)
def test_a_bad_month_answers_404_with_a_message(login, march, month, message):
    client = login(march.aw.world.street_staff)
    for suffix in ("/", ".pdf", ".xlsx"):
        response = client.get(url(march.alliance, suffix, month=month))
        assert response.status_code == 404
        assert message in response.content.decode()
    response = client.post(url(march.alliance, "/build/", month=month))
    assert response.status_code == 404
    assert not MonthlyReport.objects.exists()


def test_an_alliance_id_that_is_no_number_or_absent_answers_404(login, march):
    client = login(march.aw.world.street_staff)
    assert client.get("/reports/monthly/abc/2026-03/").status_code == 404
    assert client.get("/reports/monthly/999999/2026-03/").status_code == 404
    assert client.get("/reports/monthly/1.5/2026-03.pdf").status_code == 404


def test_the_pdf_prints_the_report_in_an_embedded_cjk_font(login, march, built, tmp_path):
    response = login(march.aw.world.street_staff).get(url(march.alliance, ".pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    if shutil.which("pdftotext") is None:
        pytest.skip("needs poppler-utils (pdftotext, pdffonts)")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "街道供电所" in text  # the chair unit
    assert "四点半课堂" in text  # a project
    assert "2026年3月联席会议月度报告" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts


def test_the_pdf_is_rendered_once_per_revision(
    login, march, built, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    import portal.pdf

    real = portal.pdf.render_pdf

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(portal.pdf, "render_pdf", counting)
    client = login(march.aw.world.street_staff)
    first = client.get(url(march.alliance, ".pdf")).content
    assert client.get(url(march.alliance, ".pdf")).content == first
    assert len(calls) == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(march.alliance, "/build/"))  # a new revision gets a new PDF
    client.get(url(march.alliance, ".pdf"))
    assert len(calls) == 2


def test_the_workbook_has_a_sheet_per_section(login, march, built):
    response = login(march.aw.world.street_staff).get(url(march.alliance, ".xlsx"))
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "概况",
        "成员单位",
        "联席会议",
        "出席情况",
        "项目晾晒",
        "本月项目动态",
        "需求",
        "微心愿",
        "党员志愿服务",
        "积分排名",
        "问题跟进",
        "事件报到",
    ]
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary["轮值主席单位"] == "街道供电所"
    assert summary["召开联席会议"] == 1
    assert summary["党员志愿服务时长（小时）"] == 3.5
    projects = list(book["项目晾晒"].iter_rows(values_only=True))
    assert projects[0][:2] == ("项目", "牵头单位")
    assert projects[1][:6] == ("四点半课堂", "兰苑小学", "金港医院(东院)", "兰苑社区", "实施中", "实施中")
    assert projects[1][6:8] == (30, 60)
    points = list(book["积分排名"].iter_rows(min_row=2, values_only=True))
    assert points[0] == ("兰苑小学", 12.0, 2, 1)
    needs = list(book["需求"].iter_rows(min_row=2, values_only=True))
    assert [(n[0], n[6]) for n in needs] == [("四点半课堂教室", "本月匹配"), ("电动车充电设施", "月末待匹配")]


def test_the_index_lists_built_months_and_the_alliance_page_links_to_it(login, march, built):
    client = login(march.aw.liaison_a)
    page = client.get(f"/alliances/{march.alliance.pk}/").content.decode()
    assert f'href="/reports/monthly/{march.alliance.pk}/"' in page
    index = client.get(f"/reports/monthly/{march.alliance.pk}/")
    assert index.status_code == 200
    assert url(march.alliance) in index.content.decode()
    assert login(march.aw.other_staff).get(f"/reports/monthly/{march.alliance.pk}/").status_code == 404


@requires_chromium
def test_the_report_page_reads_on_a_phone(phone_page, march, built):
    from tests.utils import sign_in

    sign_in(phone_page, "street")
    phone_page.goto(url(march.alliance))
    assert phone_page.locator("h1").inner_text().startswith("刘家堡街道区域党建联盟")
    # Nothing sticks out sideways: wide tables scroll inside their own box.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    phone_page.shoot("report-phone")
