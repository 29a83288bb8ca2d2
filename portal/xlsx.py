"""XLSX workbooks: one sheet per section, headers in bold, written streaming."""

import io
import re
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BOLD = Font(bold=True)


def _sheet_title(title):
    """Excel refuses sheet names longer than 31 characters or holding any of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "-", str(title))[:31]


def workbook_bytes(sheets):
    """`sheets` is a list of (title, headers, rows); rows are lists of cell values."""
    book = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title=_sheet_title(title))
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=str(header))
            cell.font = _BOLD
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(data, filename):
    response = HttpResponse(data, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
