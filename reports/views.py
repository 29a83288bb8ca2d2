"""Pages of the monthly joint-meeting reports: the months of an alliance, a report, its PDF and workbook.

Readable by whoever may open the alliance's page (staff whose scope holds the
alliance's node, liaisons of its member units); everyone else gets the same
404 as for an alliance that does not exist. Building is for staff in scope.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliances.selectors import get_alliance_for_user_or_404
from portal.access import staff_over
from portal.months import add_months, check_month, month_start, parse_month, this_month
from portal.pdf import pdf_response
from portal.xlsx import workbook_bytes, xlsx_response
from reports import jobs as report_jobs
from reports import selectors as report_selectors
from reports.present import present, report_filename, report_pdf_bytes
from reports.workbook import report_sheets

INDEX_MONTHS = 24


def _can_build_report(user, alliance):
    return staff_over(user, alliance.grid, "reports.add_monthlyreport")


def _report_month(request, alliance, text):
    """The month named in the URL, or a rendered 404 page saying what is wrong with it."""
    try:
        return parse_month(text), None
    except ValueError as error:
        page = render(
            request,
            "reports/bad_month.html",
            {"alliance": alliance, "message": str(error)},
            status=404,
        )
        return None, page


@login_required
def index(request, pk):
    alliance = get_alliance_for_user_or_404(request.user, pk)
    built = {r.month: r for r in report_selectors.alliance_reports(alliance)}
    newest = this_month()
    # The last two years, or since the alliance was founded; older reports are listed after them.
    oldest = add_months(newest, -INDEX_MONTHS + 1)
    if alliance.founded_on:
        oldest = max(oldest, month_start(alliance.founded_on))
    months = []
    month = newest
    while month >= oldest:
        months.append((month, built.pop(month, None)))
        month = add_months(month, -1)
    months.extend(sorted(built.items(), reverse=True))  # built months older than the window
    return render(
        request,
        "reports/index.html",
        {
            "alliance": alliance,
            "months": months,
            "this_month": newest,
            "can_build": _can_build_report(request.user, alliance),
        },
    )


@login_required
def detail(request, pk, month):
    alliance = get_alliance_for_user_or_404(request.user, pk)
    first_day, bad = _report_month(request, alliance, month)
    if bad:
        return bad
    report = report_selectors.monthly_report(alliance, first_day)
    context = {
        "alliance": alliance,
        "month": first_day,
        "previous": add_months(first_day, -1),
        "next": add_months(first_day, 1) if first_day < this_month() else None,
        "can_build": _can_build_report(request.user, alliance),
        "is_current": first_day == this_month(),
    }
    if report is None:
        return render(request, "reports/missing.html", context)
    context.update(report=report, r=present(report.data))
    return render(request, "reports/report.html", context)


def _stored_report_or_redirect(request, pk, month):
    alliance = get_alliance_for_user_or_404(request.user, pk)
    first_day, bad = _report_month(request, alliance, month)
    if bad:
        return None, bad
    report = report_selectors.monthly_report(alliance, first_day)
    if report is None:
        # The page says the report is not built yet (and offers staff the button).
        return None, redirect("reports:detail", pk=alliance.pk, month=f"{first_day:%Y-%m}")
    return report, None


@login_required
def pdf(request, pk, month):
    """The PDF at once (the contract's URL, for links and scripts); the page's button uses pdf_job."""
    report, answer = _stored_report_or_redirect(request, pk, month)
    if answer:
        return answer
    return pdf_response(report_pdf_bytes(report, request=request), report_filename(report, "pdf"))


@require_POST
@login_required
def pdf_job(request, pk, month):
    """Lay the PDF out in the background; the job's page shows the progress, then the download."""
    report, answer = _stored_report_or_redirect(request, pk, month)
    if answer:
        return answer
    job = report_jobs.report_pdf_start(report=report, user=request.user)
    return redirect("portal:job_detail", pk=job.pk)


@login_required
def xlsx(request, pk, month):
    report, answer = _stored_report_or_redirect(request, pk, month)
    if answer:
        return answer
    return xlsx_response(workbook_bytes(report_sheets(report.data)), report_filename(report, "xlsx"))


@require_POST
@login_required
def build(request, pk, month):
    alliance = get_alliance_for_user_or_404(request.user, pk)
    if not _can_build_report(request.user, alliance):
        raise PermissionDenied
    first_day, bad = _report_month(request, alliance, month)
    if bad:
        return bad
    try:
        check_month(first_day)
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("reports:detail", pk=alliance.pk, month=f"{first_day:%Y-%m}")
    job = report_jobs.report_build_start(alliance=alliance, month=first_day, user=request.user)
    job.refresh_from_db()
    if job.status == job.Status.DONE:  # eager Celery: it ran inside this request
        report = report_selectors.monthly_report(alliance, first_day)
        text = (
            _("已重新生成 %(month)s 的报告，原来的快照已被替换。")
            if report.revision > 1
            else _("已生成 %(month)s 的报告。")
        )
        messages.success(request, text % {"month": f"{first_day:%Y-%m}"})
        return redirect(job.result_url)
    if job.status == job.Status.FAILED:
        messages.error(request, job.message)
        return redirect("reports:detail", pk=alliance.pk, month=f"{first_day:%Y-%m}")
    return redirect("portal:job_detail", pk=job.pk)
