"""The rows of an uploaded XLSX, read as a stream: memory bounded by a row, not by the sheet.

A whole street's household sheet is 100,000 rows. Readers that load the
sheet first (python-calamine, openpyxl's normal mode) hold every cell at once
beside the dataset built from them, about twice the sheet in memory;
openpyxl's read-only mode streams, but spends most of its time on cell
objects the import never uses. So the workbook's parts are read by openpyxl
(the shared strings, which styles are dates, the date epoch, which sheet is
first), and the first sheet's rows are read here, straight from its XML as it
unpacks, with openpyxl's own conversions for numbers and dates.

Rows come as lists of values like openpyxl's ``values_only`` rows: text,
int or float, bool, datetime (or a timedelta for durations), None for an empty
cell; rows missing from the XML come as empty rows, and cells missing from a
row as None, so row numbers stay those of the sheet. Leading empty rows are
skipped (the header is the first row with a value).
"""

import io
import re
from xml.etree.ElementTree import iterparse

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHEET_MAIN_NS

_CELL = f"{{{SHEET_MAIN_NS}}}c"
_ROW = f"{{{SHEET_MAIN_NS}}}row"
_VALUE = f"{{{SHEET_MAIN_NS}}}v"
_INLINE = f"{{{SHEET_MAIN_NS}}}is"
_TEXT = f"{{{SHEET_MAIN_NS}}}t"
_RUN = f"{{{SHEET_MAIN_NS}}}r"
_DIGITS = "0123456789"
_CHUNK = 1 << 20
_ROW_END = re.compile(rb"</(?:[\w.-]+:)?row>")


class XLSXRows:
    """The first worksheet of an XLSX (bytes): how many rows it holds, and its rows."""

    def __init__(self, data):
        # openpyxl's reader for the workbook's parts only: load_workbook(read_only=True)
        # would also scan each whole sheet for its size when it states none.
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        self._archive = reader.archive
        self._strings = reader.shared_strings
        self._book = reader.wb
        self._path = next(
            (
                rel.target
                for _sheet, rel in reader.parser.find_sheets()
                if rel.target in reader.valid_files and "chartsheet" not in rel.Type
            ),
            None,
        )
        if self._path is None:
            raise ValueError("the workbook has no worksheet")

    def close(self):
        self._archive.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def counted_rows(self):
        """The rows the sheet's XML holds, counted by their end tags as it unpacks: no cell is parsed."""
        count, carry = 0, b""
        with self._archive.open(self._path) as source:
            while chunk := source.read(_CHUNK):
                buffer = carry + chunk
                last = 0
                for match in _ROW_END.finditer(buffer):
                    count += 1
                    last = match.end()
                carry = buffer[max(last, len(buffer) - 64) :]
        return count

    def __iter__(self):
        book = self._book
        strings = self._strings
        date_styles = book._date_formats
        duration_styles = book._timedelta_formats
        epoch = book.epoch
        columns = {}  # "AB" → 28
        width = 0
        expected = 1  # the next row number
        started = False
        with self._archive.open(self._path) as source:
            for _event, element in iterparse(source):
                if element.tag != _ROW:
                    continue
                number = element.get("r")
                number = int(float(number)) if number else expected
                row = []
                for cell in element:
                    if cell.tag != _CELL:
                        continue
                    position = cell.get("r")
                    if position:
                        letters = position.rstrip(_DIGITS)
                        column = columns.get(letters)
                        if column is None:
                            column = columns[letters] = column_index_from_string(letters)
                        if column > len(row) + 1:
                            row.extend([None] * (column - len(row) - 1))
                    kind = cell.get("t")
                    if kind == "s":  # the common cases first, without a call
                        value = cell.findtext(_VALUE)
                        row.append(strings[int(value)] if value else None)
                    elif kind == "inlineStr":
                        inline = cell.find(_INLINE)
                        row.append(_text(inline) if inline is not None else None)
                    else:
                        row.append(_value(kind or "n", cell, strings, date_styles, duration_styles, epoch))
                element.clear()
                if not started:
                    if all(value is None for value in row):
                        expected = number + 1
                        continue
                    started = True
                    width = len(row)
                else:
                    for _gap in range(expected, number):
                        yield [None] * width
                expected = number + 1
                yield row


def _value(kind, cell, strings, date_styles, duration_styles, epoch):
    value = cell.findtext(_VALUE) or None
    if value is None:
        return None
    if kind == "n":
        number = float(value) if ("." in value or "E" in value or "e" in value) else int(value)
        style = cell.get("s")
        if style and int(style) in date_styles:
            try:
                return from_excel(number, epoch, timedelta=int(style) in duration_styles)
            except (OverflowError, ValueError):
                return "#VALUE!"
        return number
    if kind == "s":
        return strings[int(value)]
    if kind == "b":
        return bool(int(value))
    if kind == "d":
        return from_ISO8601(value)
    return value  # "str" (a formula's text), "e" (an error such as #N/A)


def _text(inline):
    """An inline string's text: its plain text and its rich-text runs, phonetic guides left out."""
    if len(inline) == 1:  # plain text only, as most writers write it
        return inline.findtext(_TEXT) or ""
    parts = [inline.findtext(_TEXT) or ""]
    parts += [run.findtext(_TEXT) or "" for run in inline.findall(_RUN)]
    return "".join(parts)
