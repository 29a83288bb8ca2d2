"""The service records export: its form and workbook, and the background job (portal.jobs) that
makes one too large for a request."""

from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.jobs import JobFile, JobRefused, job_kind, job_start
from portal.models import PersonalDataLog
from portal.privacy import PERMISSION, can_view_personal_data, personal_data_record
from portal.scoping import grid_model
from portal.xlsx import workbook_bytes
from volunteers import exports, selectors
from volunteers.forms import ExportForm
from volunteers.models import ServiceRecord
from volunteers.views.common import this_year_so_far

RECORDS_EXPORT = "volunteers.records_export"


def records_export_start(*, user, query):
    """The export the form asked for (its query string), made for `user` in the background."""
    return job_start(
        kind=RECORDS_EXPORT,
        owner=user,
        title=_("导出志愿服务记录"),
        params={"query": query},
        scope=grid_model().objects.filter(staff_profiles__user=user).first(),
        # Someone else over the same node may open it only with the rights its content needs.
        view_perm=PERMISSION if can_view_personal_data(user) else "volunteers.view_servicerecord",
        back=reverse("volunteers:records_export") + f"?{query}",
    )


def records_export_form(user, query):
    """The export form bound to `query` (a QueryDict), and the activity it names, if any."""
    form = ExportForm(
        query or None, mappings=selectors.export_mappings_visible_to(user), initial=this_year_so_far()
    )
    activity = None
    if query.get("activity", "").isdigit():
        activity = selectors.get_activity_for_user_or_404(user, int(query["activity"]))
    return form, activity


def records_workbook(user, form, activity, records):
    """(file name, XLSX bytes) of the records, masked or not by the user's role; a clear export is logged."""
    columns = form.columns()
    unmasked = can_view_personal_data(user)
    rows = list(exports.rows(records, columns, unmasked))
    data = workbook_bytes([(_("志愿服务记录"), [h for h, _k in columns], rows)])
    if unmasked and exports.has_personal_data(columns) and rows:
        personal_data_record(
            actor=user,
            action=PersonalDataLog.Action.EXPORT,
            subject=ServiceRecord,
            fields=[k for _h, k in columns if k in exports.PERSONAL_KEYS],
            detail=_("导出服务记录 %(count)s 行") % {"count": len(rows)},
        )
    start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    name = f"志愿服务记录-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    if activity is not None:
        name = f"志愿服务记录-{activity.title}-{activity.pk}.xlsx"
    return name, data


@job_kind(RECORDS_EXPORT)
def make_records_export(job, progress):
    user = job.owner
    if not (user.is_active and user.has_perm("volunteers.view_servicerecord")):
        raise JobRefused(_("您已没有导出这些数据的权限。"))
    progress(5, _("读取筛选条件"))
    try:
        form, activity = records_export_form(user, QueryDict(job.params.get("query", "")))
    except Http404:
        raise JobRefused(_("这个活动已不存在，或不在您的管辖范围内。")) from None
    if not form.is_valid():
        raise JobRefused(_("导出的设置无效，请回到导出页面重新选择。"))
    records = selectors.records_for_export(
        user, form.cleaned_data["date_from"], form.cleaned_data["date_to"], activity
    )
    progress(15, _("正在导出 %(n)s 行") % {"n": records.count()})
    name, data = records_workbook(user, form, activity, records)
    progress(95, _("保存文件"))
    return JobFile(name, data)
