"""Import and export screens in Chinese: labels, XLSX chosen, messages, upstream wording fixed."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from tests.grids.test_imports import CSV, HOUSEHOLD_HEADERS, _csv, _household_rows, _import, _invalid


def test_the_import_page_is_chinese_with_xlsx_chosen_and_the_blank_rule(login, world):
    page = login(world.secretary_a).get(reverse("admin:grids_household_import"))
    form = page.context["form"]
    assert form.initial["format"] == "0" and ("", "---") not in form.fields["format"].choices
    assert form.fields["format"].choices[0][1] == "xlsx"
    html = page.content.decode()
    for text in ("文件格式", "要导入的文件", "（清空）", "上传并预览", "将导入以下各列"):
        assert text in html, text
    for english in ("File to import", "Submit", "This importer", "---"):
        assert english not in html, english


def test_a_confirmed_import_says_what_it_did_in_chinese(login, world):
    client = login(world.secretary_a)
    preview = client.post(
        reverse("admin:grids_household_import"),
        {"import_file": _csv(HOUSEHOLD_HEADERS, _household_rows(world)), "format": CSV, "resource": "0"},
    )
    done = client.post(
        reverse("admin:grids_household_process_import"), preview.context["confirm_form"].initial
    )
    assert [str(m) for m in get_messages(done.wsgi_request)] == [
        "住户导入完成：新增 2 行，更新 0 行，无变化 0 行。"
    ]


@pytest.mark.parametrize(
    "english, chinese",
    [
        ("Some rows failed to validate", "部分行未通过校验"),
        ("Select all", "全选"),
        ("Format", "文件格式"),
        ("Skipped", "无变化"),
        ("This exporter will export the following fields: ", "将导出以下各列："),
    ],
)
def test_wrong_upstream_translations_are_overridden(english, chinese):
    with translation.override("zh-hans"):
        assert translation.gettext(english) == chinese


def test_a_bad_date_or_number_is_a_row_error_in_chinese(login, world):
    headers = ["账号", "姓名", "手机号", "职责", "网格编码", "楼栋", "单元", "开始日期", "结束日期"]
    rows = [["gw-new", "赵红梅", "", "网格员", world.grid_a.code, "", "", "2026-13-45", ""]]
    preview = _import(login(world.secretary_a), "gridassignment", _csv(headers, rows))
    assert "日期“2026-13-45”无法识别" in str(_invalid(preview)[1])
    rows = [[world.grid_a.code, "9号楼", "", "三", "6"]]
    preview = _import(
        login(world.secretary_a), "building", _csv(["网格编码", "楼栋", "地址", "单元数", "层数"], rows)
    )
    assert "数量“三”不是数字" in str(_invalid(preview)[1])
