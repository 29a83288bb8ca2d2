"""Large imports as background jobs (portal.jobs), for every admin screen built on
`ImportExportScopedMixin`.

An upload of up to `IMPORT_INLINE_MAX_ROWS` rows is previewed and imported in
the request, as before. A larger one is read once in the request (so the
limits of portal.imports refuse a bad file at once, with nothing queued), kept
as a private file named by its preview job, and previewed by that job; the
job's page follows the progress and then links to the preview, rebuilt from
what the job recorded (portal.import_changes). Confirming starts a second job
that imports the same kept file.

At least once, never twice over: the preview is a dry run (running it again
changes nothing); the confirm is keyed by its preview (one confirm per
preview, whoever clicks) and imports in one transaction that also records
on the confirm's job row that it is done, so a task delivered again after a
crash either finds nothing written (and imports) or finds the record (and
imports nothing).
"""

import os

from django.apps import apps
from django.contrib import admin
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from import_export.results import RowResult
from import_export.signals import post_import

from portal.exports import job_request
from portal.jobs import JobPage, JobRefused, job_kind, job_start

IMPORT_PREVIEW = "portal.import_preview"
IMPORT_CONFIRM = "portal.import_confirm"


def _upload_path(job, extension):
    return f"jobs/imports/{job.pk}/upload{extension}"


def _import_perm(model):
    return f"{model._meta.app_label}.add_{model._meta.model_name}"


def import_preview_start(*, model_admin, request, form, data):
    """Keep the upload (bytes) and start its preview job; the job's page follows it."""
    from portal.models import Job
    from portal.scoping import grid_model

    opts = model_admin.model._meta
    user = request.user
    upload = form.cleaned_data["import_file"]
    extension = os.path.splitext(upload.name)[1].lower()[:10]
    with transaction.atomic():  # the task is queued when this commits: after the file is kept
        job = job_start(
            kind=IMPORT_PREVIEW,
            owner=user,
            title=_("导入%(name)s：预览") % {"name": opts.verbose_name_plural},
            params={
                "model": opts.label,
                "path": request.path,
                "format": form.cleaned_data["format"],
                "resource": form.cleaned_data.get("resource") or "0",
                "file_name": upload.name[:200],
            },
            scope=grid_model().objects.filter(staff_profiles__user=user).first(),
            view_perm=_import_perm(model_admin.model),
            back=request.path,
        )
        storage = job.result.storage
        path = storage.save(_upload_path(job, extension), ContentFile(data))
        Job.objects.filter(pk=job.pk).update(params={**job.params, "upload": path, "files": [path]})
    return job


def import_confirm_start(*, preview, request):
    """The import of a previewed upload: one per preview, whoever confirms it and however often."""
    from portal.models import Job

    key = f"import:{preview.pk}"
    existing = Job.objects.filter(kind=IMPORT_CONFIRM, key=key).exclude(status=Job.Status.FAILED).first()
    if existing is not None:
        return existing
    return job_start(
        kind=IMPORT_CONFIRM,
        owner=request.user,
        title=_("导入%(name)s") % {"name": apps.get_model(preview.params["model"])._meta.verbose_name_plural},
        params={
            **{k: preview.params[k] for k in ("model", "path", "format", "resource", "file_name", "upload")},
            "preview": str(preview.pk),
        },
        key=key,
        scope=preview.scope,
        view_perm=preview.view_perm,
        back=preview.params.get("path", ""),
    )


def _admin_of(job):
    try:
        model = apps.get_model(job.params["model"])
        return admin.site._registry[model]
    except (KeyError, LookupError):
        raise JobRefused(_("这个导入已无法完成：数据表已不存在。")) from None


def _resource_and_dataset(model_admin, request, job):
    formats = model_admin.get_import_formats()
    input_format = formats[int(job.params["format"])]()
    storage = job.result.storage
    try:
        with storage.open(job.params["upload"], "rb") as kept:
            data = kept.read()
    except (KeyError, FileNotFoundError, OSError):
        raise JobRefused(_("上传的文件已不在服务器上，请重新上传。")) from None
    dataset = input_format.create_dataset(data)
    classes = model_admin.get_import_resource_classes(request)
    resource_class = classes[min(int(job.params.get("resource") or 0), len(classes) - 1)]
    resource = resource_class(**model_admin.get_import_resource_kwargs(request))
    return resource, dataset


def _follow(resource, progress, total, start, span):
    """Report rows done / total on the job's page while the resource imports."""
    resource.progress_every = max(50, min(1000, total // 50 or 1))

    def rows_done(done):
        progress(
            start + span * done / max(total, 1),
            _("已处理 %(done)s / %(total)s 行") % {"done": done, "total": total},
        )

    resource.on_progress = rows_done


def _page_url(model_admin, job):
    opts = model_admin.model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_import_job", args=[job.pk])


@job_kind(IMPORT_PREVIEW)
def run_import_preview(job, progress):
    from portal.imports import ImportRefused
    from portal.models import Job

    model_admin = _admin_of(job)
    request = job_request(job)
    if not job.owner.is_active or not model_admin.has_import_permission(request):
        raise JobRefused(_("您已没有导入这些数据的权限。"))
    progress(2, _("读取文件"))
    try:
        resource, dataset = _resource_and_dataset(model_admin, request, job)
    except ImportRefused as refused:
        raise JobRefused(refused.message) from None
    total = len(dataset)
    _follow(resource, progress, total, 5, 90)
    result = resource.import_data(
        dataset, dry_run=True, raise_errors=False, file_name=job.params.get("file_name"), user=job.owner
    )
    ok = not result.has_errors() and not result.has_validation_errors()
    page = result.changes.page_data()
    Job.objects.filter(pk=job.pk).update(params={**job.params, "changes": page, "ok": ok, "rows": total})
    return JobPage(_page_url(model_admin, job))


@job_kind(IMPORT_CONFIRM)
def run_import_confirm(job, progress):
    from portal.imports import ImportRefused
    from portal.models import Job

    model_admin = _admin_of(job)
    if job.params.get("imported") is not None:  # an earlier run committed the import
        return JobPage(_page_url(model_admin, job))
    request = job_request(job)
    if not job.owner.is_active or not model_admin.has_import_permission(request):
        raise JobRefused(_("您已没有导入这些数据的权限。"))
    progress(2, _("读取文件"))
    try:
        resource, dataset = _resource_and_dataset(model_admin, request, job)
    except ImportRefused as refused:
        raise JobRefused(refused.message) from None
    total = len(dataset)
    _follow(resource, progress, total, 5, 90)
    with transaction.atomic():
        # Another run of this confirm may have committed meanwhile: look again under the lock.
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.params.get("imported") is not None:
            return JobPage(_page_url(model_admin, job))
        result = resource.import_data(
            dataset,
            dry_run=False,
            raise_errors=False,
            rollback_on_validation_errors=True,
            file_name=job.params.get("file_name"),
            user=job.owner,
        )
        if result.has_errors() or result.has_validation_errors():
            raise JobRefused(
                _("导入时发现错误（数据可能在预览后被修改），没有导入任何内容。请重新上传并预览。")
            )
        totals = result.totals
        imported = {
            "new": totals[RowResult.IMPORT_TYPE_NEW],
            "update": totals[RowResult.IMPORT_TYPE_UPDATE],
            "skip": totals[RowResult.IMPORT_TYPE_SKIP],
            "rows": total,
        }
        model_admin.generate_log_entries(result, request)
        Job.objects.filter(pk=job.pk).update(params={**locked.params, "imported": imported})
    post_import.send(sender=None, model=model_admin.model)
    progress(99, _("导入完成"))
    return JobPage(_page_url(model_admin, job))
