"""In phone browsers: a resident reports with a photo → the grid worker passes it up → the street dispatches to a
unit → the unit signs and finishes with a photo → the secretary verifies → the resident rates → the dashboard counts it."""

import os

import pytest

from cases.models import Case, CasePhoto, CaseState
from tests.cases.conftest import image_bytes
from tests.utils import CHROMIUM, browser_args, sign_in


@pytest.fixture
def browser(live_server, transactional_db, monkeypatch):
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (scripts/system-deps test)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connection

    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=browser_args())
        yield browser
        browser.close()


def _page_as(browser, live_server, username=None):
    context = browser.new_context(
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    if username:
        sign_in(page, username)
    return page


def _shoot(page, name):
    from tests.utils import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _submit(page, selector):
    page.click(selector)
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
def test_a_case_from_the_qr_form_to_the_residents_rating(browser, live_server, world, setup, tmp_path):
    photo = tmp_path / "problem.jpg"
    photo.write_bytes(image_bytes(size=(640, 480)))

    # the resident reports from the grid's QR code, with a photo
    resident = _page_as(browser, live_server)
    resident.goto(f"/cases/new/?grid={world.grid_a.code}")
    resident.select_option("#id_category", label="环境卫生")
    resident.fill("#id_description", "3号楼门口的垃圾三天没人清运了")
    resident.fill("#id_address", "3号楼门口")
    resident.set_input_files("#id_photos", str(photo))
    resident.fill("#id_phone", "137 0000 2222")
    _shoot(resident, "cases-1-resident-form")
    _submit(resident, "button:has-text('提交')")
    code = resident.locator("#case-code").inner_text().strip()
    case = Case.objects.get(code=code)
    assert CasePhoto.objects.filter(case=case, stage="report").count() == 1

    # the grid worker passes it up
    worker = _page_as(browser, live_server, world.gridworker_a.username)
    worker.goto(f"/cases/{case.pk}/")
    worker.click("#pass-up summary")
    worker.fill("#pass-up textarea", "需要环卫和供电配合")
    _submit(worker, "#act-pass-up")
    assert "已上报上级" in worker.locator(".messages").inner_text()

    # the street dispatches it to a member unit (吹哨)
    street = _page_as(browser, live_server, world.street_staff.username)
    street.goto(f"/cases/{case.pk}/")
    street.check(f"#form-dispatch input[value='{setup.unit.pk}'][name='dispatch-units']")
    _shoot(street, "cases-2-street-dispatch")
    _submit(street, "#form-dispatch button[type=submit]")
    assert street.locator("#case-state").inner_text() == "已派遣"

    # the unit signs, arrives and finishes with a photo
    unit = _page_as(browser, live_server, setup.unit_user.username)
    unit.goto("/cases/")
    _submit(unit, "#dispatch-list a")
    _submit(unit, "#act-sign")
    _submit(unit, "#act-arrive")
    unit.fill("#form-complete textarea", "已清运完毕，并加装了垃圾桶")
    unit.set_input_files("#id_result_photos", str(photo))
    _shoot(unit, "cases-3-unit-complete")
    _submit(unit, "#act-complete")
    assert unit.locator("#dispatch-state").inner_text() == "已办结"

    # the secretary verifies
    secretary = _page_as(browser, live_server, world.secretary_a.username)
    secretary.goto(f"/cases/{case.pk}/")
    _submit(secretary, "#form-verify button[type=submit]")
    assert secretary.locator("#case-state").inner_text() == "待评价"

    # the resident sees the result with its photo, and rates it
    resident.goto(f"/cases/track/{code}/")
    assert "已清运完毕" in resident.locator("#result").inner_text()
    assert resident.locator("#result img.photo").count() == 1
    assert "13700002222" not in resident.content()
    resident.click("#rate .choices label:has-text('★★★★★')")
    _shoot(resident, "cases-4-resident-rates")
    _submit(resident, "#rate button[type=submit]")
    assert "谢谢您的评价" in resident.locator(".messages").inner_text()
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and case.rating == 5

    # the street's dashboard counts it: received and finished this month, nothing overdue
    street.goto("/dashboard/")
    figures = street.locator("#case-figures .stat")
    assert figures.nth(0).locator("b").inner_text() == "1"
    assert figures.nth(1).locator("b").inner_text() == "1"
    assert figures.nth(2).locator("b").inner_text() == "0"
    _shoot(street, "cases-5-dashboard-counts")
