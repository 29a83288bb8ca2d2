"""Limits on uploaded spreadsheets and reading them safely, for every import.

A spreadsheet is the one large, untrusted input the portal takes. A small
XLSX can unpack to gigabytes (one 300 MB cell compresses to 300 KB), and a
very long sheet outlasts the web worker's timeout. Every import therefore
passes these checks, in this order, before anything is parsed:

1. the file's size (IMPORT_MAX_MB);
2. for XLSX, the sum of the zip members' declared sizes (IMPORT_MAX_UNPACKED_MB)
   and, while the members are unpacked once, no run of text longer than a
   cell may hold, so the parser never sees a giant cell;
3. while rows are read, their number (IMPORT_MAX_ROWS) and each cell's
   length (IMPORT_MAX_CELL_CHARS).

A file over a limit is refused with `ImportRefused`, whose message (in the
user's language) says which limit and what to do. The checks take bytes and
yield rows, with no request in sight, so a background import can reuse them.
"""

import codecs
import contextlib
import csv
import ctypes
import ctypes.util
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

# Text a CSV may come in: Chinese Excel saves "CSV" in GBK (gb18030 is its
# superset), "Unicode text" in UTF-16; everything else in UTF-8.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAX_ZIP_MEMBERS = 1000


class ImportRefused(ValueError):
    """A file the portal will not read; the message tells the user why, in their language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ImportLimits:
    max_bytes: int
    max_unpacked_bytes: int
    max_rows: int
    max_cell_chars: int

    @classmethod
    def from_settings(cls):
        mb = 1024 * 1024
        return cls(
            max_bytes=settings.IMPORT_MAX_MB * mb,
            max_unpacked_bytes=settings.IMPORT_MAX_UNPACKED_MB * mb,
            max_rows=settings.IMPORT_MAX_ROWS,
            max_cell_chars=settings.IMPORT_MAX_CELL_CHARS,
        )


def check_size(size, limits=None):
    limits = limits or ImportLimits.from_settings()
    if size > limits.max_bytes:
        raise ImportRefused(
            _("文件太大（%(size).1f MB），导入的文件不能超过 %(max)d MB。请分成几个文件导入。")
            % {"size": size / 1024 / 1024, "max": limits.max_bytes // 1024 // 1024}
        )


def check_xlsx(data, limits=None):
    """Refuse an XLSX that would unpack to too much, or that holds a giant cell, before parsing it."""
    limits = limits or ImportLimits.from_settings()
    check_size(len(data), limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportRefused(
            _("无法读取这个 XLSX 文件，请确认它是 Excel 工作簿（.xlsx）且没有损坏。")
        ) from None
    declared = sum(member.file_size for member in members)
    if len(members) > _MAX_ZIP_MEMBERS or declared > limits.max_unpacked_bytes:
        raise _too_much_unpacked(limits)
    # Unpacking once is fast (zipfile stops at each member's declared size and
    # checks its CRC, so a member that lies about its size fails here too).
    # A text longer than a cell may hold is a run without any "<" or ">".
    window = limits.max_cell_chars * 4  # UTF-8: at most 4 bytes a character
    try:
        for member in members:
            with archive.open(member) as stream:
                _scan_for_giant_text(stream, window, limits)
    except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile, NotImplementedError):
        raise ImportRefused(
            _("无法读取这个 XLSX 文件，请确认它是 Excel 工作簿（.xlsx）且没有损坏。")
        ) from None


def _too_much_unpacked(limits):
    return ImportRefused(
        _(
            "这个 XLSX 文件解压后超过 %(max)d MB，内容过多或文件异常。请删去多余的工作表、格式或分成几个文件导入。"
        )
        % {"max": limits.max_unpacked_bytes // 1024 // 1024}
    )


def _scan_for_giant_text(stream, window, limits):
    """Refuse when some text between two markup characters is longer than 2 × `window` bytes.

    Any run of 2 × window bytes covers a whole aligned window, so checking the
    aligned windows for a "<" or ">" finds every such run with a few memchr calls.
    """
    carry = b""
    while chunk := stream.read(1 << 20):
        buffer = carry + chunk
        for start in range(0, len(buffer) - window + 1, window):
            if buffer.find(b"<", start, start + window) < 0 and buffer.find(b">", start, start + window) < 0:
                raise cell_too_long(limits)
        last = max(buffer.rfind(b"<"), buffer.rfind(b">"))
        carry = buffer[last + 1 :]
        if len(carry) > window * 2:
            raise cell_too_long(limits)


def cell_too_long(limits, row_number=None):
    if row_number is None:
        return ImportRefused(
            _("文件中有单元格超过 %(max)d 个字，请检查是否粘贴了多余的内容。")
            % {"max": limits.max_cell_chars}
        )
    return ImportRefused(
        _("第 %(row)s 行有单元格超过 %(max)d 个字，请检查是否粘贴了多余的内容。")
        % {"row": row_number, "max": limits.max_cell_chars}
    )


def too_many_rows(limits):
    return ImportRefused(_("文件超过 %(max)s 行，请分成几个文件导入。") % {"max": f"{limits.max_rows:,}"})


def limited_rows(rows, limits=None):
    """Yield `rows` (sequences of cells, header first), refusing too many rows or too long a cell."""
    limits = limits or ImportLimits.from_settings()
    for number, row in enumerate(rows, 1):
        if number > limits.max_rows + 1:  # the header row is not counted
            raise too_many_rows(limits)
        for cell in row:
            if isinstance(cell, str) and len(cell) > limits.max_cell_chars:
                raise cell_too_long(limits, number)
        yield row


def decode_text(data):
    """The text of an uploaded CSV, whichever encoding Excel or WPS saved it in."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data, encoding)
    sample = data[:4000]
    if sample and sample.count(0) > len(sample) // 4:
        # UTF-16 without a byte-order mark: every other byte of Latin text is zero.
        odd_zeros = sample[1::2].count(0)
        return _decode(data, "utf-16-le" if odd_zeros > sample[0::2].count(0) else "utf-16-be")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _unknown_encoding()


def _decode(data, encoding):
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _unknown_encoding() from None


def _unknown_encoding():
    return ImportRefused(
        _("无法识别这个 CSV 文件的文字编码。请在 Excel 中另存为“CSV UTF-8”，或直接上传 XLSX 文件。")
    )


def csv_rows(text):
    """Rows of a CSV text; the delimiter is a tab when the header line has tabs and no commas."""
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise cell_too_long(ImportLimits.from_settings()) from None
        raise ImportRefused(_("CSV 文件格式有误，请在 Excel 中重新另存为 CSV 后再导入。")) from None


def release_freed_memory():
    """Hand freed buffers back to the OS (glibc keeps them otherwise).

    A whole street's import frees tens of megabytes in small blocks; without
    this the process keeps that high-water mark for the rest of its life, on
    top of what its next request needs.
    """
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL(libc_name).malloc_trim(0)
