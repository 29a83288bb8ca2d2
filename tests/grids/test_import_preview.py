"""The import preview shows what will change: new rows' values, updates old → new, every error."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from grids.models import Household
from tests.grids.test_imports import CSV, HOUSEHOLD_HEADERS, _csv


def _preview(client, rows, headers=HOUSEHOLD_HEADERS):
    response = client.post(
        reverse("admin:grids_household_import"),
        {"import_file": _csv(headers, rows), "format": CSV, "resource": "0"},
    )
    assert response.status_code == 200
    return response


def _rows(world, phone="13900001111"):
    code, h = world.grid_a.code, world.household_a
    return [
        [code, "1号楼", "2", "501", "王小明", "13900002222", "", "空巢", ""],  # new
        [code, "1号楼", h.unit, h.room, "", phone, "", "孤寡", ""],  # update: phone and category
    ]


def test_the_preview_shows_new_values_and_changed_fields_old_to_new(login, world):
    response = _preview(login(world.secretary_a), _rows(world))
    changes = response.context["changes"]
    assert changes.counts == {"new": 1, "update": 1, "unchanged": 0, "error": 0}
    assert changes.new_rows == [
        (1, [world.grid_a.code, "1号楼", "2", "501", "王小明", "13900002222", "", "空巢", ""])
    ]
    number, key, fields = changes.updated_rows[0]
    assert (number, key) == (2, f"{world.grid_a.code} / 1号楼 / 1 / 101")
    assert fields == [("联系电话", "13812348000", "13900001111"), ("彩虹分类", "一般户", "孤寡")]
    page = response.content.decode()
    assert "王小明" in page and "13812348000" in page and "None" not in page
    assert "确认导入" in page and "新增 1 行，更新 1 行" in page


def test_the_preview_shows_each_error_with_row_column_and_reason_in_plain_view(login, world):
    rows = _rows(world)
    rows[0][7] = "红色"
    rows[1][5] = "12345"
    response = _preview(login(world.secretary_a), rows)
    changes = response.context["changes"]
    assert [(n, column, cell) for n, column, cell, _reason in changes.errors] == [
        (1, "彩虹分类", "红色"),
        (2, "联系电话", "12345"),
    ]
    page = response.content.decode()
    assert "部分行未通过校验" in page and "彩虹分类“红色”无效" in page
    assert "validation-error-count" not in page  # no hover badge with English field codes
    assert "confirm_form" not in response.context
    assert Household.objects.count() == 2


def test_an_unchanged_sheet_and_a_clear_marker_are_previewed_as_such(login, world):
    client = login(world.secretary_a)
    rows = _rows(world, phone="")[1:]
    rows[0][7] = "一般户"
    response = _preview(client, rows)
    assert response.context["changes"].counts["unchanged"] == 1
    rows[0][8] = "（清空）"
    world.household_a.notes = "独居"
    world.household_a.save()
    response = _preview(client, rows)
    assert response.context["changes"].updated_rows[0][2] == [("备注", "独居", "")]
    assert "（空）" in response.content.decode()


def test_every_change_and_error_downloads_as_a_workbook_for_its_importer_only(login, world, client):
    rows = _rows(world)
    rows.append([world.grid_a.code, "1号楼", "3", "601", "", "", "", "红色", ""])
    response = _preview(login(world.secretary_a), rows)
    url = response.context["changes_url"]
    download = client.get(url)
    assert download.status_code == 200
    assert "%E5%AF%BC%E5%85%A5%E9%A2%84%E8%A7%88" in download["Content-Disposition"]  # 导入预览
    book = load_workbook(io.BytesIO(download.content))
    assert book.sheetnames == ["错误", "新增", "更新"]
    assert [c.value for c in book["错误"][2]] == [
        3,
        "彩虹分类",
        "红色",
        "彩虹分类“红色”无效，应为：孤寡、空巢、贫困、残疾、管控、军烈属、一般户。",
    ]
    assert [c.value for c in book["新增"][2]][:6] == [1, world.grid_a.code, "1号楼", "2", "501", "王小明"]
    assert [c.value for c in book["更新"][3]] == [
        2,
        f"{world.grid_a.code} / 1号楼 / 1 / 101",
        "彩虹分类",
        "一般户",
        "孤寡",
    ]

    other = login(world.secretary_b)
    assert other.get(url).status_code == 404
    assert other.get(url.split("?")[0] + "?token=forged").status_code == 404


def test_stored_numbers_the_preview_shows_are_logged_and_masked_without_the_right(login, world):
    from django.contrib.auth.models import Permission

    from portal.models import PersonalDataLog

    # A preview that is never confirmed still showed the stored number (old → new): a reveal.
    _preview(login(world.secretary_a), _rows(world))
    entry = PersonalDataLog.objects.get(action=PersonalDataLog.Action.VIEW)
    assert entry.actor_id == world.secretary_a.pk and "phone" in entry.fields

    # A role that may import but not see personal data reads the stored number masked.
    right = Permission.objects.get(codename="view_personal_data")
    for group in world.secretary_a.groups.all():
        group.permissions.remove(right)
    response = _preview(login(world.secretary_a), _rows(world))
    [(_number, _key, fields)] = response.context["changes"].updated_rows
    assert fields[0] == ("联系电话", "138****8000", "13900001111")
    assert "13812348000" not in response.content.decode()


def test_formulas_and_markup_in_a_sheet_stay_text_in_the_preview_and_its_download(login, world):
    code = world.grid_a.code
    rows = [[code, "1号楼", "2", "502", '=HYPERLINK("http://evil","x")', "13900003333", "", "空巢", ""]]
    rows.append([code, "1号楼", "2", "503", '"><img src=x onerror=alert(1)>', "13900004444", "", "空巢", ""])
    client = login(world.secretary_a)
    response = _preview(client, rows)
    page = response.content.decode()
    assert "<img src=x" not in page
    book = load_workbook(io.BytesIO(client.get(response.context["changes_url"]).content))
    values = [c.value for row in book["新增"].iter_rows() for c in row]
    assert '\'=HYPERLINK("http://evil","x")' in values


def test_the_upload_and_its_changes_are_kept_in_private_media_for_any_host_and_pruned_after_a_day(
    login, world, settings
):
    import os
    import time

    from django.urls import reverse as url_of

    private = settings.PRIVATE_MEDIA_ROOT
    stale = private / "django-import-export" / "abandoned"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"an upload never confirmed")
    day_old = time.time() - 25 * 3600
    os.utime(stale, (day_old, day_old))
    client = login(world.secretary_a)
    response = _preview(client, _rows(world))
    # Both live on the shared private disk, not in the temporary directory of the host that previewed.
    [upload] = (private / "django-import-export").iterdir()
    assert upload.name == response.context["confirm_form"].initial["import_file_name"]
    [spool] = (private / "import-changes").glob("*.jsonl")
    assert "王小明" in spool.read_text(encoding="utf-8")
    assert not stale.exists()
    done = client.post(
        url_of("admin:grids_household_process_import"), response.context["confirm_form"].initial
    )
    assert done.status_code == 302
    assert Household.objects.filter(head_name="王小明").exists()
    assert not upload.exists()  # import-export removes its copy once imported
