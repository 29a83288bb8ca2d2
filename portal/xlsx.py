"""The portal's one spreadsheet writer: every workbook and CSV file it hands out.

Whatever a user typed — a visit's findings, an activity's title, a resident's
wish — ends up in a cell, and spreadsheet programs run a cell that starts
with a formula character. So every text cell goes through `safe_text`
(the OWASP CSV-injection rule): text starting with = + - @, a tab or a carriage
return gets a leading apostrophe and stays plain text. Numbers, dates and
times are written as themselves, never as text, so a points reversal of −5 is
the number −5 and sums still work.

Workbooks also get a bold, frozen header row, columns fitted to their content
and sheet titles Excel accepts. django-import-export's admin exports come here
too (`portal.formats`), as do the dashboard, report and service-record files.
"""

import csv
import datetime
import io
import itertools
import re
import unicodedata
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BOLD = Font(bold=True)
_DATE_FORMAT = "yyyy-mm-dd"
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
# Snapshots (the monthly report) keep dates as ISO text; they are dates all the same.
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")
# A CSV holds only text; a cell that is just a number (-5, 12.5) is left alone.
_PLAIN_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
_TITLE_BAD_RE = re.compile(r"[\[\]:*?/\\]")
_MAX_TITLE = 31
_MIN_WIDTH, _MAX_WIDTH = 6, 60
_WIDTH_SAMPLE_ROWS = 2000  # columns are fitted to the header and the first rows


def safe_text(text):
    """`text` made inert for a spreadsheet: a leading formula character gets an apostrophe."""
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def cell_value(value):
    """What goes into a workbook cell: numbers and dates as such, text made safe."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date | datetime.time):
        return value
    text = str(value)
    if text.startswith("-") and _PLAIN_NUMBER_RE.match(text):
        # A negative number that arrived as text (a points reversal): a number, not a formula.
        return Decimal(text) if "." in text else int(text)
    if _ISO_DATE_RE.match(text):
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
    elif _ISO_DATETIME_RE.match(text):
        try:
            return datetime.datetime.fromisoformat(text)
        except ValueError:
            pass
    # Control characters the XLSX format cannot hold would fail the whole file.
    return safe_text(ILLEGAL_CHARACTERS_RE.sub("\ufffd", text))


def csv_value(value):
    """What goes into a CSV cell: always text, plain numbers untouched, the rest made safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    if isinstance(value, int | float | Decimal) or _PLAIN_NUMBER_RE.match(text):
        return text
    return safe_text(text)


def sheet_titles(titles):
    """Titles Excel accepts: at most 31 characters, none of []:*?/\\, not empty, all different."""
    seen = set()
    result = []
    for title in titles:
        base = _TITLE_BAD_RE.sub("-", str(title or "")).strip("'")[:_MAX_TITLE] or "Sheet"
        name, n = base, 1
        while name.lower() in seen:
            n += 1
            suffix = f" ({n})"
            name = base[: _MAX_TITLE - len(suffix)] + suffix
        seen.add(name.lower())
        result.append(name)
    return result


def _display_width(value):
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    text = str(value)
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    longest_line = max((len(line) for line in text.splitlines()), default=0)
    return min(longest_line + wide, len(text) + wide)


def _column_widths(headers, rows):
    widths = [_display_width(h) for h in headers]
    for row in rows[:_WIDTH_SAMPLE_ROWS]:
        for i, value in enumerate(row):
            if i >= len(widths):
                widths.append(0)
            widths[i] = max(widths[i], _display_width(value))
    return [min(max(w + 2, _MIN_WIDTH), _MAX_WIDTH) for w in widths]


def _cell(sheet, value):
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime.datetime):
        cell.number_format = _DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        cell.number_format = _DATE_FORMAT
    return cell


def workbook_bytes(sheets):
    """`sheets` is a list of (title, headers, rows); rows are sequences of cell values.

    `rows` may be an iterator: only the first rows (for the column widths) are
    held at once, the rest go straight to the write-only workbook.
    """
    book = Workbook(write_only=True)
    sheets = list(sheets)
    for (_title, headers, rows), title in zip(sheets, sheet_titles(s[0] for s in sheets), strict=True):
        headers = [cell_value(h) for h in headers]
        rows = iter(rows)
        first = [[cell_value(v) for v in row] for row in itertools.islice(rows, _WIDTH_SAMPLE_ROWS)]
        sheet = book.create_sheet(title=title)
        # A write-only sheet takes its column widths and frozen panes before the first row.
        for index, width in enumerate(_column_widths(headers, first), 1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        if headers:
            sheet.freeze_panes = "A2"
            header_cells = []
            for header in headers:
                cell = WriteOnlyCell(sheet, value=header)
                cell.font = _BOLD
                header_cells.append(cell)
            sheet.append(header_cells)
        for row in first:
            sheet.append([_cell(sheet, value) for value in row])
        del first
        for row in rows:
            sheet.append([_cell(sheet, cell_value(value)) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_text(headers, rows):
    """A CSV file as text, with a byte-order mark so Excel reads the Chinese as UTF-8."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    if headers:
        writer.writerow([csv_value(h) for h in headers])
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
    return buffer.getvalue()


def xlsx_response(data, filename):
    return _attachment(data, CONTENT_TYPE, filename)


def csv_response(text, filename):
    return _attachment(text.encode("utf-8"), CSV_CONTENT_TYPE, filename)


def _attachment(data, content_type, filename):
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
