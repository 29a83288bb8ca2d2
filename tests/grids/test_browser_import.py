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
    page.click("input[value=确认导入]")
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
