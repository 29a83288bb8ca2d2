"""Staff pages: the records export for the national system, and the 双报到 lists."""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.decorators import scope_required
from portal.models import PersonalDataLog
from portal.privacy import can_view_personal_data, personal_data_record
from portal.xlsx import workbook_bytes, xlsx_response
from volunteers import exports, selectors
from volunteers.forms import (
    ExportForm,
)
from volunteers.models import ServiceRecord
from volunteers.views.common import this_year_so_far


@scope_required
@permission_required("volunteers.view_servicerecord", raise_exception=True)
def records_export(request):
    user = request.user
    form = ExportForm(
        request.GET or None, mappings=selectors.export_mappings_visible_to(user), initial=this_year_so_far()
    )
    activity = None
    if request.GET.get("activity", "").isdigit():
        activity = selectors.get_activity_for_user_or_404(user, int(request.GET["activity"]))
    if not form.is_bound or not form.is_valid():
        return render(
            request,
            "volunteers/export_form.html",
            {"form": form, "activity": activity},
            status=400 if form.is_bound else 200,
        )
    columns = form.columns()
    unmasked = can_view_personal_data(user)
    records = selectors.records_for_export(
        user, form.cleaned_data["date_from"], form.cleaned_data["date_to"], activity
    )
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
    return xlsx_response(data, name)


@scope_required
@permission_required("volunteers.view_dualreport", raise_exception=True)
def dual_reports(request):
    by_community, by_unit = selectors.dual_report_summary(request.user)
    people, title = None, ""
    community = request.GET.get("community", "")
    unit = request.GET.get("unit")
    reported = {"1": True, "0": False}.get(request.GET.get("reported", ""))
    if community.isdigit() or unit:
        people = selectors.dual_report_people(
            request.user,
            community=int(community) if community.isdigit() else None,
            unit=unit,
            reported=reported,
        )
        people = Paginator(people, 50).get_page(request.GET.get("page"))
        title = unit or next(
            (c["community__name"] for c in by_community if str(c["community_id"]) == community), ""
        )
    return render(
        request,
        "volunteers/dual_reports.html",
        {
            "by_community": by_community,
            "by_unit": by_unit,
            "people": people,
            "title": title,
            "reported": reported,
            "query": request.GET.copy(),
        },
    )
