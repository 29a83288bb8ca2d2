"""Large admin exports as background jobs (portal.jobs), for every admin screen built on
`ImportExportScopedMixin`.

The export page posts as usual. Up to `EXPORT_INLINE_MAX_ROWS` rows the file
comes back at once; beyond, the request is written down as a job (the admin,
the list's filters and search, the form as posted) and its page follows the
progress. The worker rebuilds that request for the job's owner and asks the
same admin for the same file, so scoping, masking and the personal-data log
apply exactly as for a download in the page.
"""

from django.apps import apps
from django.contrib import admin
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _

from portal.jobs import JobFile, JobRefused, job_kind, job_start
from portal.privacy import PERMISSION, can_view_personal_data

ADMIN_EXPORT = "portal.admin_export"
_SKIP = {"csrfmiddlewaretoken"}


def admin_export_start(*, model_admin, request):
    """The job of this export request, started now; its page shows the progress and the file."""
    from portal.scoping import grid_model

    opts = model_admin.model._meta
    posted = [(k, v) for k, values in request.POST.lists() if k not in _SKIP for v in values]
    user = request.user
    scope = grid_model().objects.filter(staff_profiles__user=user).first()
    # Someone else over the same node may open the result only with the rights its content needs.
    view_perm = PERMISSION if can_view_personal_data(user) else f"{opts.app_label}.view_{opts.model_name}"
    return job_start(
        kind=ADMIN_EXPORT,
        owner=user,
        title=_("导出%(name)s") % {"name": opts.verbose_name_plural},
        params={"model": opts.label, "query": request.GET.urlencode(), "form": posted, "path": request.path},
        scope=scope,
        view_perm=view_perm,
        back=request.path.rsplit("export/", 1)[0] + (f"?{request.GET.urlencode()}" if request.GET else ""),
    )


def job_request(job):
    """The request a job was asked for with, rebuilt for its owner (no session, no cookies)."""
    request = HttpRequest()
    request.method = "POST"
    request.path = request.path_info = job.params.get("path", "/admin/")
    request.META = {"SERVER_NAME": "jobs.invalid", "SERVER_PORT": "443", "REQUEST_METHOD": "POST"}
    request.GET = QueryDict(job.params.get("query", ""))
    form = QueryDict(mutable=True)
    for key, value in job.params.get("form", []):
        form.appendlist(key, value)
    request.POST = form
    request.user = job.owner
    request.COOKIES = {}
    request.session = {}
    return request


@job_kind(ADMIN_EXPORT)
def run_admin_export(job, progress):
    try:
        model = apps.get_model(job.params["model"])
        model_admin = admin.site._registry[model]
    except (KeyError, LookupError):
        raise JobRefused(_("这个导出已无法完成：数据表已不存在。")) from None
    request = job_request(job)
    if not job.owner.is_active or not model_admin.has_export_permission(request):
        raise JobRefused(_("您已没有导出这些数据的权限。"))
    progress(5, _("读取筛选条件"))
    formats = model_admin.get_export_formats()
    form = model_admin.get_export_form_class()(
        formats, model_admin.get_export_resource_classes(request), data=request.POST
    )
    if not form.is_valid():
        raise JobRefused(_("导出的设置无效，请回到导出页面重新选择。"))
    file_format = formats[int(form.cleaned_data["format"])]()
    queryset = model_admin.get_export_queryset(request)
    if "export_items" in request.POST:  # posted from the list's action: the rows ticked there
        queryset = queryset.filter(pk__in=request.POST.getlist("export_items"))
    progress(15, _("正在导出 %(n)s 行") % {"n": queryset.count()})
    data = model_admin.get_export_data(
        file_format, request, queryset, encoding=model_admin.to_encoding, export_form=form
    )
    progress(95, _("保存文件"))
    if isinstance(data, str):
        data = data.encode(model_admin.to_encoding or "utf-8")
    return JobFile(model_admin.get_export_filename(request, queryset, file_format), data)
