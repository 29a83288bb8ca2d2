"""Spreadsheet screens: XLSX first, Chinese columns, limits before parsing, previews that show every change, large files as jobs."""

import logging
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.forms import ImportForm, SelectableFieldsExportForm
from import_export.results import RowResult

from portal.import_changes import changes_sheets, spool_for
from portal.imports import ImportRefused, check_size
from portal.xlsx import workbook_bytes, xlsx_response

logger = logging.getLogger(__name__)


def row_count(input_format, data):
    """The file's rows, counted without keeping them where the format can (the portal's own formats)."""
    if hasattr(input_format, "row_count"):
        return input_format.row_count(data)
    return len(input_format.create_dataset(data))


def _xlsx_first(form):
    """The format list without import-export's "---": XLSX (the first format) is chosen."""
    field = form.fields["format"]
    field.label = _("文件格式")
    titles = {"xlsx": _("Excel 工作簿（.xlsx）"), "csv": _("CSV 文本（.csv）")}
    field.choices = [(value, titles.get(title, title)) for value, title in field.choices if value != ""]
    form.initial.setdefault("format", field.choices[0][0])
    form.fields["resource"].label = _("数据")


class LimitedImportForm(ImportForm):
    """The import page's form: a file over the size limit is refused before it is read."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        _xlsx_first(self)
        self.fields["import_file"].label = _("要导入的文件")

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload.size)
        except ImportRefused as refused:
            raise ValidationError(refused.message) from None
        return upload


class ChineseExportForm(SelectableFieldsExportForm):
    """The export form: XLSX chosen, and each column listed by its Chinese header only."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        _xlsx_first(self)

    def _get_field_label(self, resource, field_name):
        field = resource.fields.get(field_name)
        return field.column_name if field is not None else field_name


class ImportExportScopedMixin:
    """Hands the signed-in user to import/export resources, for scope and masking.

    Imports are read within the limits of portal.imports; a file that breaks
    one, or cannot be read at all, gets a message in the user's language on the
    import page, never a 500 or an exception's name.
    """

    import_form_class = LimitedImportForm
    export_form_class = ChineseExportForm
    import_template_name = "admin/portal/import.html"

    def get_urls(self):
        if not hasattr(self, "import_action"):
            return super().get_urls()
        info = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        own = [
            path(
                "import/changes.xlsx",
                self.admin_site.admin_view(self.import_changes_view),
                name=self._changes_url_name(),
            ),
            path(
                "import/job/<uuid:pk>/",
                self.admin_site.admin_view(self.import_job_view),
                name=f"{info}_import_job",
            ),
            path(
                "import/job/<uuid:pk>/confirm/",
                self.admin_site.admin_view(self.import_job_confirm),
                name=f"{info}_import_job_confirm",
            ),
        ]
        return own + super().get_urls()

    def _changes_url_name(self):
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}_import_changes"

    def import_action(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):
            job = self._import_in_background(request)
            if job is not None:
                return redirect("portal:job_detail", pk=job.pk)
        response = super().import_action(request, **kwargs)
        result = getattr(response, "context_data", {}).get("result")
        changes = getattr(result, "changes", None)
        if changes is not None:
            url = reverse(f"admin:{self._changes_url_name()}", current_app=self.admin_site.name)
            response.context_data["changes"] = changes
            response.context_data["changes_url"] = f"{url}?token={changes.signed_token(request.user)}"
        return response

    def _import_in_background(self, request):
        """A valid upload of more than IMPORT_INLINE_MAX_ROWS rows: kept and previewed by a job.

        The file's rows are counted here first (from the size the sheet states,
        where it states one), so a file over a limit of portal.imports (or one
        that cannot be read) is refused on the page by the inline flow below,
        with nothing queued.
        """
        form = self.create_import_form(request)
        if not form.is_valid():
            return None
        upload = form.cleaned_data["import_file"]
        data = b"".join(upload.chunks())
        upload.seek(0)
        try:
            input_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
            rows = row_count(input_format, data)
        except Exception:  # the inline flow reads it and says what is wrong
            return None
        if rows <= settings.IMPORT_INLINE_MAX_ROWS:
            return None
        from portal.import_jobs import import_preview_start

        return import_preview_start(model_admin=self, request=request, form=form, data=data)

    def _import_job_or_404(self, request, pk):
        from portal.import_jobs import IMPORT_CONFIRM, IMPORT_PREVIEW
        from portal.jobs import job_visible_to
        from portal.models import Job

        job = Job.objects.filter(pk=pk, kind__in=(IMPORT_PREVIEW, IMPORT_CONFIRM)).first()
        if (
            job is None
            or job.params.get("model") != self.model._meta.label
            or not job_visible_to(request.user, job)
        ):
            raise Http404
        if not self.has_import_permission(request):
            raise Http404
        return job

    def import_job_view(self, request, pk):
        """A background import's result: the preview (and its confirm button), or what was imported."""
        from django.template.response import TemplateResponse

        from portal.import_changes import ImportChanges, signed_token
        from portal.import_jobs import IMPORT_CONFIRM
        from portal.models import Job

        job = self._import_job_or_404(request, pk)
        if job.status != Job.Status.DONE:
            return redirect("portal:job_detail", pk=job.pk)
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": _("导入"),
            "opts": opts,
            "job": job,
            "rows": job.params.get("rows") or (job.params.get("imported") or {}).get("rows", ""),
            "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            "import_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_import"),
        }
        if job.kind == IMPORT_CONFIRM:
            context["imported"] = job.params.get("imported") or {}
            context["changes"] = None
        else:
            page = job.params.get("changes")
            context.update(imported=None, changes=None, job_confirm_url=None)
            if page:
                changes = ImportChanges.from_page_data(page)
                url = reverse(f"admin:{self._changes_url_name()}", current_app=self.admin_site.name)
                context["changes"] = changes
                context["changes_url"] = f"{url}?token={signed_token(changes.token, request.user)}"
            if job.params.get("ok"):
                context["job_confirm_url"] = reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_import_job_confirm", args=[job.pk]
                )
        return TemplateResponse(request, "admin/portal/import_job.html", context)

    def import_job_confirm(self, request, pk):
        """Import a previewed upload in the background (once per preview)."""
        from portal.import_jobs import IMPORT_PREVIEW, import_confirm_start
        from portal.models import Job

        if request.method != "POST":
            return redirect(
                f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_import_job", pk=pk
            )
        preview = self._import_job_or_404(request, pk)
        if (
            preview.kind != IMPORT_PREVIEW
            or preview.status != Job.Status.DONE
            or not preview.params.get("ok")
        ):
            raise Http404
        job = import_confirm_start(preview=preview, request=request)
        return redirect("portal:job_detail", pk=job.pk)

    def import_changes_view(self, request):
        """Every change and error of the user's last previews, as a workbook."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        spool = spool_for(request.GET.get("token", ""), request.user)
        if spool is None:
            raise Http404
        name = _("%(sheet)s-导入预览-%(date)s.xlsx") % {
            "sheet": self.model._meta.verbose_name,
            "date": timezone.localdate().isoformat(),
        }
        return xlsx_response(workbook_bytes(changes_sheets(spool)), str(name))

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportRefused):
            form.add_error("import_file", e.message)
            return
        logger.warning("import file could not be read: %r", e)
        form.add_error(
            "import_file",
            _("无法读取这个文件。请确认选择的格式与文件一致（Excel 工作簿 .xlsx 或 CSV），且文件没有损坏。"),
        )

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            _("%(sheet)s导入完成：新增 %(new)s 行，更新 %(update)s 行，无变化 %(skip)s 行。")
            % {
                "sheet": self.model._meta.verbose_name_plural,
                "new": totals[RowResult.IMPORT_TYPE_NEW],
                "update": totals[RowResult.IMPORT_TYPE_UPDATE],
                "skip": totals[RowResult.IMPORT_TYPE_SKIP],
            },
        )

    def get_export_filename(self, request, queryset, file_format):
        """住户-2026-12-01.xlsx: the list's Chinese name and the local date."""
        name = _("%(sheet)s-%(date)s") % {
            "sheet": self.model._meta.verbose_name_plural,
            "date": timezone.localdate().isoformat(),
        }
        return f"{name}.{file_format.get_extension()}"

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        # A large export runs in the background (portal.exports); a small one comes back at once.
        if queryset.count() > settings.EXPORT_INLINE_MAX_ROWS:
            from portal.exports import admin_export_start

            job = admin_export_start(model_admin=self, request=request)
            return redirect("portal:job_detail", pk=job.pk)
        # import-export writes the file name raw into the header; a Chinese name
        # needs RFC 5987's filename*=UTF-8''… to reach the browser intact.
        response = super()._do_file_export(file_format, request, queryset, export_form=export_form)
        name = self.get_export_filename(request, queryset, file_format)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_data(self, file_format, request, queryset, **kwargs):
        # import-export asks for native dates and numbers only for its own XLSX
        # class (an exact type check); the portal's writer is binary too.
        if not self.has_export_permission(request):
            raise PermissionDenied
        data = self.get_data_for_export(
            request, queryset, force_native_type=file_format.is_binary(), **kwargs
        )
        export_data = file_format.export_data(data)
        encoding = kwargs.get("encoding")
        if not file_format.is_binary() and encoding:
            export_data = export_data.encode(encoding)
        return export_data
