"""Staff pages: the records export for the national system, and the 双报到 lists."""

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from portal.decorators import scope_required
from portal.xlsx import xlsx_response
from volunteers import selectors
from volunteers.jobs import records_export_form, records_export_start, records_workbook


@scope_required
@permission_required("volunteers.view_servicerecord", raise_exception=True)
def records_export(request):
    """The form, then the workbook; one of more than EXPORT_INLINE_MAX_ROWS rows is made in the background."""
    user = request.user
    form, activity = records_export_form(user, request.GET)
    if not form.is_bound or not form.is_valid():
        return render(
            request,
            "volunteers/export_form.html",
            {"form": form, "activity": activity},
            status=400 if form.is_bound else 200,
        )
    records = selectors.records_for_export(
        user, form.cleaned_data["date_from"], form.cleaned_data["date_to"], activity
    )
    if records.count() > settings.EXPORT_INLINE_MAX_ROWS:
        job = records_export_start(user=user, query=request.GET.urlencode())
        return redirect("portal:job_detail", pk=job.pk)
    name, data = records_workbook(user, form, activity, records)
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
