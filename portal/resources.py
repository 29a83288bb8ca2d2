"""Shared rules for every spreadsheet import and export.

- Column headers are fixed Chinese names: a sheet is a file format that street
  offices exchange, so it does not change with the interface language.
- Imports are all-or-nothing: any bad row rolls back the whole file, and the
  preview lists every bad row with its row number and reason.
- Rows are matched on a natural key (`import_id_fields`), so importing the
  same file twice updates rows instead of duplicating them.
- Everything is limited to the importing or exporting user's scope; a row
  that points outside it is an error. Without a user, nothing is in scope.
- Personal data is masked on export unless the user may see it; a masked
  value read back unchanged keeps the stored value.
- Imports never lose data: in a row that updates a record, an empty cell keeps
  the stored value, and a column left out of the sheet is not touched. Only the
  marker （清空） (or "(清空)") clears a value; a column that must have a value,
  or that identifies the record, cannot be cleared.
"""

import datetime
import gc
import logging

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.results import Error, Result, RowResult

from portal.import_changes import ImportChanges, display, error_column
from portal.imports import release_freed_memory
from portal.models import PersonalDataLog
from portal.privacy import (
    IMPORT,
    can_view_personal_data,
    mask_id_number,
    mask_phone,
    personal_data_record,
)
from portal.scoping import scope_queryset

MASKS = {"phone": mask_phone, "id_number": mask_id_number}
CLEAR_MARKER = "（清空）"
logger = logging.getLogger(__name__)


def is_clear_marker(cell):
    """Whether a cell asks to clear the stored value: （清空）, in full-width or ASCII parentheses."""
    if not isinstance(cell, str):
        return False
    text = cell.strip().replace("（", "(").replace("）", ")").replace(" ", "")
    return text == "(清空)"


def is_blank(cell):
    return cell is None or (isinstance(cell, str) and not cell.strip())


def cell_text(row, column):
    """A cell as text, for widgets that read a neighbouring column; the clear marker reads as empty."""
    value = (row or {}).get(column)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if value is None or is_clear_marker(value):
        return ""
    return str(value).strip()


class PlainError(Error):
    """An import error as the import page shows it: the message, never a traceback.

    import-export prints the traceback of an error outside a row, with file
    paths and code. Errors the portal raises on purpose (a bad cell, a row out
    of scope, a file over a limit) carry a message for the user; anything else
    is written to the server log and shown as a plain sentence.
    """

    traceback = ""

    def __init__(self, error, row=None, number=None):
        if not isinstance(error, ValueError | ValidationError):
            logger.error("import failed", exc_info=error)
            error = _("导入时发生了意外错误，已记录在服务器日志中。请检查文件内容，或联系管理员。")
        super().__init__(error, row, number)


def is_pending(obj):
    """Whether a widget returned an object the import has yet to create."""
    return obj is not None and obj.pk is None


class PreviewResult(Result):
    """A result that keeps every error but only the first rows for the preview.

    The stock Result keeps a RowResult (and the instance) for every row; for a
    sheet of 100,000 households that is most of the import's memory, and the
    preview page would be a table nobody can read.
    """

    PREVIEW_ROWS = 100

    def append_row_result(self, row_result):
        if len(self.rows) < self.PREVIEW_ROWS:
            super().append_row_result(row_result)


class ScopedLookupWidget(widgets.Widget):
    """Resolves a cell to an object inside the importing user's scope.

    `field` names the model field the cell holds; `not_found` is the row's
    error message, with %(value)s. Objects are cached per value, so a sheet of
    thousands of rows costs one query per distinct value.
    """

    def __init__(self, model, field, not_found, queryset=None, **kwargs):
        super().__init__(**kwargs)
        self.model = model
        self.field = field
        self.not_found = not_found
        self.base_queryset = queryset
        self.user = None
        self._cache = {}

    def queryset(self):
        base = self.base_queryset if self.base_queryset is not None else self.model._default_manager.all()
        return scope_queryset(base, self.user)

    def lookup(self, value, row):
        return {self.field: value}

    def cache_key(self, value, row):
        return value

    def not_found_message(self, value, row):
        return self.not_found % {"value": value}

    def preload(self, keys, lookups):
        """Fill the cache for many cells with one query; `lookups` filters a superset."""
        found = {self.cache_key_of(obj): obj for obj in self.queryset().filter(**lookups)}
        for key in keys:
            self._cache[key] = found.get(key)

    def cache_key_of(self, obj):
        return getattr(obj, self.field)

    def clean(self, value, row=None, **kwargs):
        value = "" if value is None else str(value).strip()
        if not value:
            return None
        key = self.cache_key(value, row)
        if key not in self._cache:
            self._cache[key] = self.queryset().filter(**self.lookup(value, row)).first()
        obj = self._cache[key]
        if obj is None:
            raise ValueError(self.not_found_message(value, row))
        return obj

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return str(getattr(value, self.field, value))


class ChoiceLabelWidget(widgets.Widget):
    """Reads and writes a TextChoices field by its Chinese label (the code is accepted too)."""

    def __init__(self, choices, message, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        self.message = message

    def clean(self, value, row=None, **kwargs):
        value = "" if value is None else str(value).strip()
        for choice in self.choices:
            if value in (choice.value, str(choice.label)):
                return choice.value
        raise ValueError(self.message % {"value": value})

    def render(self, value, obj=None, **kwargs):
        for choice in self.choices:
            if choice.value == value:
                return str(choice.label)
        return value or ""


class TextWidget(widgets.CharWidget):
    """Text cells; numbers typed into a spreadsheet (301.0) come back as "301"."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return "" if value is None else str(value).strip()


class DateCellWidget(widgets.DateWidget):
    """Dates as 2026-03-01 (or a date cell); a bad one is a row error in Chinese."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()  # a date cell, read as a datetime at midnight
        if isinstance(value, str):
            value = value.strip().replace("/", "-").replace(".", "-")
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(_("日期“%(value)s”无法识别，请写成 2026-03-01。") % {"value": value}) from None


class CountWidget(widgets.Widget):
    """A whole number ≥ 0; empty stays empty."""

    def __init__(self, required=False, **kwargs):
        super().__init__(**kwargs)
        self.required = required

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            if self.required:
                raise ValueError(_("请填写数量。"))
            return None
        try:
            number = float(str(value).strip())
        except ValueError:
            raise ValueError(_("数量“%(value)s”不是数字。") % {"value": value}) from None
        if number < 0 or not number.is_integer():
            raise ValueError(_("数量“%(value)s”应为不小于 0 的整数。") % {"value": value})
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class YesNoWidget(widgets.Widget):
    YES = ("是", "有效", "1", "true", "yes", "y")
    NO = ("否", "已撤回", "撤回", "0", "false", "no", "n")

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip().lower()
        if text in ("",) or text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(_("“%(value)s”应填“是”或“否”。") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class ScopedResource(resources.ModelResource):
    """Base for the portal's import/export resources; see the module docstring."""

    scoped_widgets = ()

    # Foreign keys whose widget may return an object not saved yet (a login or a
    # person the row registers): widgets only look up, and the resource creates
    # the object through its app's service in before_save_instance. Until then
    # the field is left out of the row's model validation.
    created_on_save = ()

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.via = IMPORT
        for name in self.scoped_widgets:
            self.fields[name].widget.user = user

    @classmethod
    def get_display_name(cls):
        # Shown on the import and export pages (the list to export, its errors): the list's Chinese name.
        return str(cls._meta.model._meta.verbose_name_plural)

    def get_result_class(self):
        return PreviewResult

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        # Services name the file in the access log.
        self.via = kwargs.get("file_name") or IMPORT

    # --- what the preview shows ---------------------------------------------------------

    changes = None
    _compared = ()
    _old = None
    _instance = None

    def _rendered(self, instance):
        values = {}
        for field in self._compared:
            try:
                values[field.column_name] = display(field.export(instance))
            except (ValueError, AttributeError, ObjectDoesNotExist):
                values[field.column_name] = ""
        return values

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        if self.changes is not None and not new:
            self._old = self._rendered(instance)
            self._instance = instance

    # A background import's progress (portal.import_jobs): called with the rows done every `progress_every` rows.
    on_progress = None
    progress_every = 500
    _rows_done = 0

    def import_row(self, row, instance_loader, **kwargs):
        self._old = self._instance = None
        row_result = super().import_row(row, instance_loader, **kwargs)
        if self.on_progress is not None:
            self._rows_done += 1
            if self._rows_done % self.progress_every == 0:
                self.on_progress(self._rows_done)
        if self.changes is not None:
            self._record(row, row_result, kwargs.get("row_number"))
        return row_result

    def _record(self, row, row_result, number):
        kind = row_result.import_type
        if kind == RowResult.IMPORT_TYPE_INVALID:
            error = row_result.validation_error
            messages = getattr(error, "message_dict", None) or {"": error.messages}
            for key, reasons in messages.items():
                column = error_column(self, key)
                for reason in reasons:
                    self.changes.add_error(number, column, row.get(column) if column else None, reason)
        elif kind == RowResult.IMPORT_TYPE_ERROR:
            for error in row_result.errors:
                self.changes.add_error(number, "", None, str(error.error))
        elif kind == RowResult.IMPORT_TYPE_NEW:
            self.changes.add_new(number, row)
        elif self._old is not None:
            # Many-to-many values were prefetched before the row changed them.
            getattr(self._instance, "_prefetched_objects_cache", {}).clear()
            new = self._rendered(self._instance)
            changed = [
                (c, self._shown_old(c, self._old[c]), new[c]) for c in new if new[c] != self._old.get(c)
            ]
            self._personal_shown += any(c in self._personal_columns() for c, _old, _new in changed)
            self.changes.add_update(number, row, changed)
        else:
            self.changes.add_update(number, row, [])

    _personal_shown = 0

    def _personal_columns(self):
        """Headers of the compared columns that hold personal data, with their masks."""
        return {
            f.column_name: self._mask_for(f.attribute)
            for f in self._compared
            if f.attribute in self.personal_fields() and self._mask_for(f.attribute)
        }

    def _shown_old(self, column, value):
        """A stored personal number the preview shows as the old value: masked unless the user may see it."""
        mask = self._personal_columns().get(column)
        if mask and value and not self._unmasked():
            return mask(value)
        return value

    def get_error_result_class(self):
        return PlainError

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            # A bad key cell, or a key naming an object still to be created
            # (Django refuses unsaved objects in lookups): treat the row as new,
            # so import_instance reports a bad cell on its row instead of a crash.
            return None

    def import_data(self, dataset, **kwargs):
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        self.changes = None
        self._compared = []
        if kwargs.get("dry_run"):
            # What the preview shows: the columns the sheet has that the import writes.
            headers = [h for h in (dataset.headers or []) if h]
            self._compared = [
                f for f in self.get_import_fields() if not f.readonly and f.column_name in headers
            ]
            self.changes = ImportChanges(headers, self.key_columns())
        self._personal_shown = 0
        try:
            result = super().import_data(dataset, **kwargs)
            if self.changes is not None:
                for error in result.base_errors:
                    self.changes.add_error(None, "", None, str(error.error))
                self._record_preview_reveal()
        finally:
            if self.changes is not None:
                self.changes.close()
            # A whole street's rows leave model instances (in reference
            # cycles) and freed buffers behind: give them back now, before the
            # page renders or the confirm reads the sheet again.
            gc.collect()
            release_freed_memory()
        result.changes = self.changes
        return result

    def _record_preview_reveal(self):
        """The preview showed stored personal numbers in full (old → new): a reveal, logged even if never confirmed."""
        if not self._personal_shown or not self._unmasked():
            return
        personal_data_record(
            actor=self.user,
            action=PersonalDataLog.Action.VIEW,
            subject=self._meta.model,
            fields=self.personal_fields(),
            detail=_("导入预览显示原值 %(count)s 行") % {"count": self._personal_shown},
        )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if self._meta.clean_model_instances:
            pending = [n for n in self.created_on_save if is_pending(getattr(instance, n, None))]
            try:
                instance.full_clean(exclude=[*errors, *pending], validate_unique=validate_unique)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def filter_export(self, queryset, **kwargs):
        return scope_queryset(queryset, self.user)

    # --- personal data ---------------------------------------------------------------

    # Attributes (field paths) holding personal data; by default the model's own.
    personal_attributes = None

    def personal_fields(self):
        if self.personal_attributes is not None:
            return self.personal_attributes
        return getattr(self._meta.model, "PERSONAL_FIELDS", ())

    @staticmethod
    def _mask_for(attribute):
        return MASKS.get((attribute or "").rsplit("__", 1)[-1])

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        mask = self._mask_for(field.attribute)
        if mask and field.attribute in self.personal_fields() and not self._unmasked():
            return mask(value)
        return value

    def _unmasked(self):
        return can_view_personal_data(self.user)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.readonly or not field.attribute or field.column_name not in row:
            return super().import_field(field, instance, row, is_m2m, **kwargs)
        cell = row.get(field.column_name)
        if is_clear_marker(cell):
            self._clear_field(field, instance)
            return
        if is_blank(cell) and instance.pk is not None:
            return  # an empty cell in an update keeps the stored value
        mask = self._mask_for(field.attribute) if field.attribute in self.personal_fields() else None
        if mask and isinstance(cell, str) and "*" in cell:
            if instance.pk and mask(getattr(instance, field.attribute)) == cell:
                return  # a masked export read back: keep what is stored
            raise ValueError(_("该单元格是打码后的号码，请填写完整号码，或保留导出时的原值。"))
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def _clear_field(self, field, instance):
        """Set the field to its empty value, or refuse when the column cannot be empty."""
        column = field.column_name
        if column in self.key_columns():
            raise ValueError(_("“%(column)s”用于识别记录，不能清空。") % {"column": column})
        name = field.attribute.rsplit("__", 1)[-1]
        target = instance
        for part in field.attribute.split("__")[:-1]:
            target = getattr(target, part, None)
        try:
            model_field = type(target)._meta.get_field(name)
        except (AttributeError, FieldDoesNotExist):
            model_field = None
        if model_field is not None and model_field.null:
            setattr(target, name, None)
        elif model_field is not None and model_field.blank and model_field.empty_strings_allowed:
            setattr(target, name, "")
        else:
            raise ValueError(_("“%(column)s”必须填写，不能清空。") % {"column": column})

    def key_columns(self):
        """The headers of the columns that identify a record: import_id_fields and the columns they read."""
        columns = [
            self.fields[name].column_name for name in self._meta.import_id_fields if name in self.fields
        ]
        return [*self.extra_key_columns, *columns]

    # Columns a key widget reads besides its own (the grid a building is named in).
    extra_key_columns = ()

    def after_export(self, queryset, dataset, **kwargs):
        super().after_export(queryset, dataset, **kwargs)
        dataset.title = str(self._meta.model._meta.verbose_name_plural)
        if self.personal_fields() and self._unmasked():
            personal_data_record(
                actor=self.user,
                action=PersonalDataLog.Action.EXPORT,
                subject=self._meta.model,
                fields=self.personal_fields(),
                detail=_("%(count)s 行") % {"count": len(dataset)},
            )

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if self.personal_fields() and not kwargs.get("dry_run") and not result.has_errors():
            personal_data_record(
                actor=self.user,
                action=PersonalDataLog.Action.IMPORT,
                subject=self._meta.model,
                fields=self.personal_fields(),
                detail=_("%(file)s %(count)s 行")
                % {"file": kwargs.get("file_name") or "", "count": len(dataset)},
            )
