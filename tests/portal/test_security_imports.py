"""Imports have limits, read the encodings Chinese offices use, and never show a traceback.

A small XLSX can unpack to gigabytes and a long sheet outlasts the worker's
timeout; every limit is checked before the sheet is parsed, and a file over
one gets a message on the import page in the user's language, never a 500.
"""

import codecs
import io
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from grids.models import Household

HEADERS = ["网格编码", "楼栋", "单元", "房号", "户主姓名", "联系电话", "身份证号", "彩虹分类", "备注"]
XLSX, CSV = "0", "1"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(world, n=2):
    return [[world.grid_a.code, "1号楼", "1", f"{201 + i}", f"住户{i}", "", "", "孤寡", ""] for i in range(n)]


def _csv_bytes(headers, rows, encoding="utf-8", delimiter=","):
    lines = [delimiter.join(headers)] + [delimiter.join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _xlsx_bytes(headers, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _giant_cell_xlsx(megabytes):
    """An XLSX whose one cell holds `megabytes` MB of text: a few KB on disk."""
    small = zipfile.ZipFile(io.BytesIO(_xlsx_bytes(["a"], [["x"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in small.infolist():
            data = small.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<t>x</t>", b"<t>" + b"x" * (megabytes * 1024 * 1024) + b"</t>")
            archive.writestr(info.filename, data)
    return out.getvalue()


def _lying_sizes(data):
    """The same zip with every member claiming to unpack to 1,000 bytes."""
    data = bytearray(data)
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        at = 0
        while (at := data.find(signature, at)) >= 0:
            struct.pack_into("<I", data, at + offset, 1000)
            at += 4
    return bytes(data)


def _upload(client, data, fmt, name="sheet.xlsx"):
    content_type = XLSX_TYPE if fmt == XLSX else "text/csv"
    return client.post(
        reverse("admin:grids_household_import"),
        {"import_file": SimpleUploadedFile(name, data, content_type), "format": fmt, "resource": "0"},
    )


def _refusal(response):
    assert response.status_code == 200
    errors = response.context["form"].errors.get("import_file")
    assert errors, "the file was not refused"
    assert "confirm_form" not in response.context
    return " ".join(errors)


@pytest.fixture
def client_a(login, world):
    return login(world.secretary_a)


@pytest.fixture(autouse=True)
def _parser_spy(monkeypatch):
    """Records whether the XLSX parser was reached."""
    from portal import sheets

    calls = []
    original = sheets.XLSXRows.__init__

    def spy(self, *args, **kwargs):
        calls.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(sheets.XLSXRows, "__init__", spy)
    return calls


def test_a_file_over_the_size_limit_is_refused_before_reading(client_a, world, settings, _parser_spy):
    settings.IMPORT_MAX_MB = 1
    padding = [["", "", "", "", "x" * 100, "", "", "", ""]] * 12_000
    message = _refusal(_upload(client_a, _csv_bytes(HEADERS, padding), CSV, "big.csv"))
    assert "不能超过 1 MB" in message


def test_an_xlsx_that_unpacks_to_too_much_is_refused_before_parsing(client_a, world, settings, _parser_spy):
    settings.IMPORT_MAX_UNPACKED_MB = 1
    rows = [
        [world.grid_a.code, "1号楼", "1", str(i), f"住户{i}", "", "", "孤寡", "备注" * 20]
        for i in range(8000)
    ]
    message = _refusal(_upload(client_a, _xlsx_bytes(HEADERS, rows), XLSX))
    assert "解压后超过 1 MB" in message
    assert _parser_spy == []


def test_an_xlsx_with_a_giant_cell_is_refused_before_parsing(client_a, world, _parser_spy):
    data = _giant_cell_xlsx(20)
    assert len(data) < 100_000  # 20 MB of text in a few KB
    message = _refusal(_upload(client_a, data, XLSX))
    assert "超过 5000 个字" in message
    assert _parser_spy == []


def test_an_xlsx_whose_members_lie_about_their_size_is_refused(client_a, world, _parser_spy):
    message = _refusal(_upload(client_a, _lying_sizes(_giant_cell_xlsx(5)), XLSX))
    assert "无法读取这个 XLSX 文件" in message
    assert _parser_spy == []


@pytest.mark.parametrize("fmt", [XLSX, CSV])
def test_a_sheet_with_too_many_rows_is_refused(client_a, world, settings, fmt):
    settings.IMPORT_MAX_ROWS = 5
    rows = _rows(world, 6)
    data = _xlsx_bytes(HEADERS, rows) if fmt == XLSX else _csv_bytes(HEADERS, rows)
    message = _refusal(_upload(client_a, data, fmt))
    assert "超过 5 行" in message
    assert not Household.objects.filter(room="201").exists()
    settings.IMPORT_MAX_ROWS = 6
    response = _upload(client_a, data, fmt)
    assert "confirm_form" in response.context


@pytest.mark.parametrize("fmt", [XLSX, CSV])
def test_a_cell_over_the_length_limit_is_refused_with_its_row(client_a, world, settings, fmt):
    settings.IMPORT_MAX_CELL_CHARS = 100
    rows = _rows(world, 3)
    rows[2][8] = "很长的备注" * 30
    data = _xlsx_bytes(HEADERS, rows) if fmt == XLSX else _csv_bytes(HEADERS, rows)
    message = _refusal(_upload(client_a, data, fmt))
    assert "第 4 行有单元格超过 100 个字" in message


@pytest.mark.parametrize(
    "encoding, delimiter, bom",
    [
        ("gbk", ",", b""),  # Chinese Excel's "CSV (逗号分隔)"
        ("gb18030", ",", b""),
        ("utf-16-le", "\t", codecs.BOM_UTF16_LE),  # Excel's "Unicode 文本"
        ("utf-16-le", ",", codecs.BOM_UTF16_LE),
        ("utf-16-be", ",", codecs.BOM_UTF16_BE),
        ("utf-16-le", ",", b""),  # no byte-order mark at all
        ("utf-8", ",", codecs.BOM_UTF8),
    ],
)
def test_csv_in_the_encodings_offices_save_is_read(client_a, world, encoding, delimiter, bom):
    data = bom + _csv_bytes(HEADERS, _rows(world), encoding, delimiter)
    response = _upload(client_a, data, CSV, "住户.csv")
    assert response.status_code == 200
    assert not response.context["form"].errors, response.context["form"].errors
    confirm = response.context["confirm_form"]
    done = client_a.post(reverse("admin:grids_household_process_import"), confirm.initial)
    assert done.status_code == 302
    assert set(Household.objects.filter(building=world.building_a).values_list("head_name", flat=True)) >= {
        "住户0",
        "住户1",
    }


def test_a_file_in_no_known_encoding_gets_a_chinese_message(client_a, world):
    message = _refusal(_upload(client_a, bytes(range(128, 256)) * 20, CSV, "x.csv"))
    assert "文字编码" in message


def test_a_file_that_is_no_spreadsheet_gets_a_chinese_message(client_a, world):
    message = _refusal(_upload(client_a, b"%PDF-1.7 not a sheet", XLSX))
    assert "无法读取这个 XLSX 文件" in message
    assert "encountered" not in message


def test_an_unexpected_error_shows_no_traceback(client_a, world, monkeypatch):
    from grids.resources import HouseholdResource

    def broken(self, dataset, **kwargs):
        raise RuntimeError("/srv/portal/secret/module.py line 42")

    monkeypatch.setattr(HouseholdResource, "before_import", broken)
    response = _upload(client_a, _csv_bytes(HEADERS, _rows(world)), CSV, "x.csv")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Traceback" not in html and "/srv/portal" not in html and ".py" not in html
    assert "导入时发生了意外错误" in html


def test_the_limits_are_in_the_settings_and_the_example_environment(settings):
    from django.conf import settings as django_settings

    example = (django_settings.BASE_DIR / ".env.example").read_text(encoding="utf-8")
    for name in ("IMPORT_MAX_MB", "IMPORT_MAX_UNPACKED_MB", "IMPORT_MAX_ROWS", "IMPORT_MAX_CELL_CHARS"):
        assert isinstance(getattr(settings, name), int)
        assert f"\n{name}=" in example
