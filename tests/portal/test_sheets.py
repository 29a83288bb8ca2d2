"""The streaming XLSX reader gives the values openpyxl gives, for the cells staff sheets hold."""

import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from portal.formats import FastXLSX
from portal.sheets import XLSXRows


def _openpyxl_rows(data):
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def _trimmed(rows):
    """Rows without trailing empty cells: openpyxl pads rows to the sheet's width, the reader does not."""
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        out.append(row)
    return out


def _varied_book(write_only):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("住户") if write_only else book.active
    if not write_only:
        sheet.title = "住户"
    sheet.append(["网格编码", "楼栋", "单元", "房号", "户主姓名", "联系电话", "日期", "时间", "是否", "备注"])
    sheet.append(
        [
            "A01-C01-G1",
            "3号楼",
            2,
            301,
            "张三",
            13912345678,
            datetime.date(2026, 3, 1),
            datetime.datetime(2026, 3, 1, 10, 30),
            True,
            "=1+1",  # a formula without a cached value: empty, as Excel's reader sees it before a recalculation
        ]
    )
    sheet.append(["A01-C01-G1", "10号楼", "1", "0301", "李四", "139 1234 5678", None, None, False, 3.25])
    sheet.append([None] * 10)
    sheet.append(["A01-C01-G2", "1号楼", None, None, "王<五>&", None, None, None, None, "=A2"])
    if not write_only:
        sheet["J3"] = CellRichText("富", TextBlock(InlineFont(b=True), "文本"))
        sheet["C7"] = "隔行"
        sheet["H7"] = datetime.time(9, 15)
    # Another sheet after the first: only the first is read.
    other = book.create_sheet("其他")
    other.append(["不读"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("write_only", [False, True], ids=["shared strings", "inline strings"])
def test_the_reader_gives_openpyxls_values(write_only):
    data = _varied_book(write_only)
    with XLSXRows(data) as sheet:
        ours = list(sheet)
    theirs = _openpyxl_rows(data)
    assert _trimmed(ours) == _trimmed(theirs)
    assert ours[1][5] == 13912345678 and ours[1][2] == 2  # numbers stay numbers
    assert ours[1][6] == datetime.datetime(2026, 3, 1)  # a date cell is a date
    assert ours[4][4] == "王<五>&"  # markup in a cell is text
    if not write_only:
        assert ours[2][9] == "富文本"  # rich text runs joined
        assert ours[6][2] == "隔行" and ours[6][7] == datetime.time(9, 15)


def test_missing_rows_come_as_empty_rows_and_leading_empty_rows_are_skipped():
    book = Workbook()
    sheet = book.active
    sheet["B3"] = "楼栋"
    sheet["C3"] = "房号"
    sheet["B6"] = "1号楼"
    out = io.BytesIO()
    book.save(out)
    with XLSXRows(out.getvalue()) as rows:
        assert list(rows) == [[None, "楼栋", "房号"], [None] * 3, [None] * 3, [None, "1号楼"]]
        assert rows.counted_rows() == 2  # the rows the XML holds


def test_rows_are_counted_from_the_xml_whatever_the_sheet_states():
    book = Workbook()
    for i in range(5):
        book.active.append([i])
    out = io.BytesIO()
    book.save(out)
    lying = out.getvalue()
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(lying))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A2"', body)
                assert b'ref="A1:A2"' in body
            target.writestr(item, body)
    assert FastXLSX().row_count(patched.getvalue()) == 4  # five rows, the header not counted


def test_the_dataset_has_the_header_row_and_none_for_empty_cells():
    dataset = FastXLSX().create_dataset(_varied_book(write_only=False))
    assert dataset.headers[:3] == ["网格编码", "楼栋", "单元"]
    assert len(dataset) == 4  # blank and missing lines are skipped (IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES)
    assert dataset[0][3] == 301 and dataset[1][6] is None


def _prefixed(data):
    """The same workbook with its sheet written as some tools write it: every tag with an x: prefix."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(
                    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                    b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                )
                body = re.sub(rb"<(/?)(?!\?)([A-Za-z]+)([\s>/])", rb"<\1x:\2\3", body)
            target.writestr(item, body)
    return out.getvalue()


def test_a_sheet_with_prefixed_tags_reads_and_counts_the_same():
    plain = _varied_book(write_only=True)
    prefixed = _prefixed(plain)
    assert b"<x:row" in zipfile_member(prefixed)
    with XLSXRows(plain) as a, XLSXRows(prefixed) as b:
        assert list(a) == list(b)
        assert a.counted_rows() == b.counted_rows() == 5
    assert FastXLSX().row_count(prefixed) == 4


def zipfile_member(data):
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
