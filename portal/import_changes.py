"""What an import will change, as the preview shows it and as a workbook to download.

While an import is previewed (its dry run), every row is recorded here: a new
row with its cells, an updated row with each changed column's old and new
value, a bad row with each column (its Chinese header) and the reason. The
first rows of each kind are kept for the page; every record is appended to a
spool file of JSON lines, so a sheet of 100,000 rows costs the page a few
hundred rows of memory and the download reads the spool back row by row.

The spool lives under PRIVATE_MEDIA_ROOT, beside import-export's own copy of
the upload between preview and confirm (STORAGES["import_export"]), so the
web host that serves the download need not be the one (or the worker) that
ran the preview. It is named by a random token that only its importer's
signed link reveals; spools and abandoned uploads older than a day are
removed at the next preview.
"""

import datetime
import json
import logging
import secrets
import time
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

PAGE_ROWS = 300  # of each kind (new, updated, errors) shown on the page
SPOOL_MAX_AGE = 24 * 3600
_SALT = "portal.import_changes"
NEW, UPDATE, ERROR = "n", "u", "e"


SPOOL_FOLDER = "import-changes"
UPLOADS_FOLDER = "django-import-export"  # import_export.tmp_storages.MediaStorage's folder


def spool_dir():
    path = Path(settings.PRIVATE_MEDIA_ROOT) / SPOOL_FOLDER
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def display(value):
    """A cell's value as text for the preview: empty stays empty, never "None"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date | Decimal | int | float):
        return str(value)
    return str(value).strip()


class ImportChanges:
    """The changes of one previewed import: counts, the first rows, and a spool of all of them."""

    def __init__(self, headers, key_columns):
        self.headers = list(headers)
        self.key_columns = [c for c in headers if c in key_columns]
        self.new_rows = []  # (row number, [cells])
        self.updated_rows = []  # (row number, key text, [(column, old, new)])
        self.errors = []  # (row number or None, column, cell, reason)
        self.counts = {"new": 0, "update": 0, "unchanged": 0, "error": 0}
        self._last_error_row = None
        self.token = secrets.token_hex(16)
        _prune_old_spools()
        self._spool = open(spool_dir() / f"{self.token}.jsonl", "w", encoding="utf-8")  # noqa: SIM115
        self._write([self.headers])

    # --- recording --------------------------------------------------------------------

    def _write(self, record):
        self._spool.write(json.dumps(record, ensure_ascii=False, default=display))
        self._spool.write("\n")

    def add_new(self, number, row):
        cells = [display(row.get(h)) for h in self.headers]
        self.counts["new"] += 1
        if len(self.new_rows) < PAGE_ROWS:
            self.new_rows.append((number, cells))
        self._write([NEW, number, cells])

    def add_update(self, number, row, changes):
        if not changes:
            self.counts["unchanged"] += 1
            return
        self.counts["update"] += 1
        key = " / ".join(display(row.get(c)) for c in self.key_columns)
        if len(self.updated_rows) < PAGE_ROWS:
            self.updated_rows.append((number, key, changes))
        for column, old, new in changes:
            self._write([UPDATE, number, key, column, old, new])

    def add_error(self, number, column, cell, reason):
        if number is None or number != self._last_error_row:
            self.counts["error"] += 1  # rows with errors; a file's own error counts once
        self._last_error_row = number
        if len(self.errors) < PAGE_ROWS:
            self.errors.append((number, column, display(cell), reason))
        self._write([ERROR, number, column, display(cell), reason])

    def close(self):
        if not self._spool.closed:
            self._spool.close()

    # --- what the page shows -----------------------------------------------------------

    @property
    def has_errors(self):
        return self.counts["error"] > 0

    @property
    def shown_all(self):
        return (
            len(self.new_rows) == self.counts["new"]
            and len(self.updated_rows) == self.counts["update"]
            and len(self.errors) < PAGE_ROWS
        )

    def signed_token(self, user):
        return signed_token(self.token, user)

    # --- kept with a background preview's job ------------------------------------------

    def page_data(self):
        """What the page shows, as JSON, for a preview made in the background (portal.import_jobs)."""
        return {
            "token": self.token,
            "headers": self.headers,
            "key_columns": self.key_columns,
            "new_rows": self.new_rows,
            "updated_rows": self.updated_rows,
            "errors": self.errors,
            "counts": self.counts,
        }

    @classmethod
    def from_page_data(cls, data):
        """The page's part of a preview saved with `page_data` (its spool stays where it was)."""
        changes = cls.__new__(cls)
        changes.token = data["token"]
        changes.headers = data["headers"]
        changes.key_columns = data["key_columns"]
        changes.new_rows = [tuple(r) for r in data["new_rows"]]
        changes.updated_rows = [(n, k, [tuple(f) for f in fields]) for n, k, fields in data["updated_rows"]]
        changes.errors = [tuple(e) for e in data["errors"]]
        changes.counts = dict(data["counts"])
        changes._last_error_row = None
        return changes


def signed_token(token, user):
    """The link's token naming the spool `token` for `user` (see `spool_for`)."""
    return signing.dumps({"t": token, "u": user.pk}, salt=_SALT)


def _prune_old_spools():
    """Remove spools, and uploads of previews never confirmed, older than a day."""
    cutoff = time.time() - SPOOL_MAX_AGE
    uploads = Path(settings.PRIVATE_MEDIA_ROOT) / UPLOADS_FOLDER
    for path in [*spool_dir().glob("*.jsonl"), *(uploads.glob("*") if uploads.is_dir() else [])]:
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue


def spool_for(signed, user):
    """The spool a signed link names, if it is this user's and still there; else None."""
    try:
        data = signing.loads(signed, salt=_SALT, max_age=SPOOL_MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("u") != user.pk or not str(data.get("t", "")).isalnum():
        return None
    path = spool_dir() / f"{data['t']}.jsonl"
    return path if path.is_file() else None


def _records(path, kind):
    with open(path, encoding="utf-8") as spool:
        next(spool, None)
        for line in spool:
            record = json.loads(line)
            if record[0] == kind:
                yield record[1:]


def changes_sheets(path):
    """The spool as workbook sheets (title, headers, rows) for portal.xlsx, rows read lazily."""
    with open(path, encoding="utf-8") as spool:
        headers = json.loads(next(spool))[0]
    row = _("行号")
    return [
        (
            _("错误"),
            [row, _("列"), _("单元格内容"), _("原因")],
            (r for r in _records(path, ERROR)),
        ),
        (
            _("新增"),
            [row, *headers],
            ([number, *cells] for number, cells in _records(path, NEW)),
        ),
        (
            _("更新"),
            [row, _("记录"), _("列"), _("原值"), _("新值")],
            (r for r in _records(path, UPDATE)),
        ),
    ]


def error_column(resource, key):
    """The Chinese header of the column an error key (a field attribute or model field) names."""
    if key in (NON_FIELD_ERRORS, None, ""):
        return ""
    for name, field in resource.fields.items():
        if key in (name, field.attribute):
            return field.column_name
    model = resource._meta.model
    try:
        return str(model._meta.get_field(key).verbose_name)
    except Exception:
        return key
