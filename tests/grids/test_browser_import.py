"""A household sheet through the admin in a real browser: preview, fix, confirm."""

import io

import pytest
from openpyxl import Workbook

from grids.models import Household
from tests.grids.test_imports import HOUSEHOLD_HEADERS
from tests.utils import sign_in


def _sheet(path, world, category):
    book = Workbook()
    sheet = book.active
    sheet.append(HOUSEHOLD_HEADERS)
    h = world.household_a
    # One change to a stored household (its phone), and one new row whose category may be bad.
    sheet.append([world.grid_a.code, "1号楼", h.unit, h.room, "", "13900001111", "", "", ""])
    sheet.append([world.grid_a.code, "1号楼", "2", "501", "王小明", "", "", category, "独居"])
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return str(path)


def _upload(page, path):
    page.goto("/admin/grids/household/import/")
    page.set_input_files("#id_import_file", path)
    page.click("text=上传并预览")
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
def test_the_preview_shows_a_bad_row_and_a_change_then_the_fixed_sheet_is_confirmed(
    world, desktop_page, tmp_path
):
    page = desktop_page
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, "secretary_a")

    _upload(page, _sheet(tmp_path / "bad.xlsx", world, "红色"))
    errors = page.locator("table.import-errors")
    assert "彩虹分类" in errors.inner_text() and "彩虹分类“红色”无效" in errors.inner_text()
    assert errors.locator("td").first.inner_text() == "2"
    changes = page.locator("table.import-updates").inner_text()
    assert "联系电话" in changes and "13812348000" in changes and "13900001111" in changes
    assert page.locator("input[value=确认导入]").count() == 0
    page.shoot("import-preview-errors-desktop")

    _upload(page, _sheet(tmp_path / "good.xlsx", world, "孤寡"))
    assert "王小明" in page.locator("table.import-new").inner_text()
    assert "新增 1 行，更新 1 行" in page.locator(".import-summary").inner_text()
    page.shoot("import-preview-desktop")
    assert page.locator("input[value=确认导入]").count() == 2  # above the preview and below it
    page.locator(".import-confirm-bottom input[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "住户导入完成：新增 1 行，更新 1 行" in page.locator(".messagelist").inner_text()
    world.household_a.refresh_from_db()
    assert world.household_a.phone == "13900001111"
    assert Household.objects.get(room="501").category == Household.Category.SOLITARY


@pytest.mark.browser
def test_the_preview_reads_on_a_phone(world, phone_page, tmp_path):
    sign_in(phone_page, "secretary_a")
    _upload(phone_page, _sheet(tmp_path / "bad.xlsx", world, "红色"))
    assert phone_page.locator("table.import-errors").is_visible()
    phone_page.shoot("import-preview-errors-phone")
    _upload(phone_page, _sheet(tmp_path / "good.xlsx", world, "孤寡"))
    assert phone_page.locator("table.import-updates").is_visible()
    phone_page.shoot("import-preview-phone")


def _wait_for_job(page):
    page.wait_for_selector("#job-result:not([hidden])", timeout=20000)
    assert page.locator("#job-status").inner_text() == "已完成"
    assert page.locator("#job-percent").inner_text() == "100%"


@pytest.mark.browser
def test_a_large_sheet_goes_through_the_background_jobs_with_progress(
    world, desktop_page, tmp_path, settings
):
    from portal.models import Job

    settings.IMPORT_INLINE_MAX_ROWS = 1  # two rows: previewed and imported by background jobs
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    page = desktop_page
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, "secretary_a")

    _upload(page, _sheet(tmp_path / "bad.xlsx", world, "红色"))
    assert "/jobs/" in page.url
    _wait_for_job(page)
    page.click("#job-link")
    page.wait_for_load_state("networkidle")
    errors = page.locator("table.import-errors").inner_text()
    assert "彩虹分类“红色”无效" in errors
    changes = page.locator("table.import-updates").inner_text()
    assert "13812348000" in changes and "13900001111" in changes
    assert page.locator("input[value=确认导入]").count() == 0

    _upload(page, _sheet(tmp_path / "good.xlsx", world, "孤寡"))
    preview = Job.objects.filter(kind="portal.import_preview").order_by("-created_at").first()
    # The progress page while the job runs: the bar follows the job and the result appears when it ends.
    Job.objects.filter(pk=preview.pk).update(status="running", progress=45, message="已处理 900 / 2,000 行")
    page.reload()
    assert page.locator("#job-percent").inner_text() == "45%"
    assert "已处理 900 / 2,000 行" in page.locator("#job-message").inner_text()
    page.shoot("import-job-progress-desktop")
    page.set_viewport_size({"width": 375, "height": 812})
    page.shoot("import-job-progress-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    Job.objects.filter(pk=preview.pk).update(status="done", progress=100, message="")
    _wait_for_job(page)  # polled, without a reload
    page.shoot("import-job-done-desktop")
    page.click("#job-link")
    page.wait_for_load_state("networkidle")
    assert "王小明" in page.locator("table.import-new").inner_text()
    assert "新增 1 行，更新 1 行" in page.locator(".import-summary").inner_text()
    page.shoot("import-job-preview-desktop")

    page.locator(".import-confirm-bottom input[type=submit]").click()
    page.wait_for_load_state("networkidle")
    _wait_for_job(page)
    page.click("#job-link")
    page.wait_for_load_state("networkidle")
    assert "新增 1 行，更新 1 行" in page.locator("#import-done").inner_text()
    page.shoot("import-job-result-desktop")
    world.household_a.refresh_from_db()
    assert world.household_a.phone == "13900001111"
    assert Household.objects.get(room="501").category == Household.Category.SOLITARY
    page.click("text=查看列表")
    assert page.url.endswith("/admin/grids/household/")
