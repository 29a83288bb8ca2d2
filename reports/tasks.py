"""Celery jobs of the monthly joint-meeting reports.

Each task is thin and idempotent: it names an alliance and a month ('YYYY-MM')
and calls the service that replaces that month's snapshot.
"""

from celery import shared_task

from alliances.models import Alliance
from portal.months import last_month, month_bounds, parse_month
from portal.queue import enqueue
from reports import selectors, services
from reports.models import MonthlyReport


@shared_task
def monthly_report_build(alliance_id, period, force=True):
    """Build one alliance's report for one month.

    With `force` off (the monthly job), a report already built after the month
    ended is left alone, so a redelivered task does nothing new.
    """
    alliance = Alliance.objects.filter(pk=alliance_id).first()
    if alliance is None:
        return "alliance gone"
    month = parse_month(period)
    if not force and selectors.built_after(alliance, month, month_bounds(month)[1]):
        return "already built"
    report = services.report_build(alliance=alliance, month=month, via=MonthlyReport.BuiltVia.TASK)
    return f"built revision {report.revision}"


@shared_task
def monthly_reports_last_month(period=None):
    """The job on the 1st: one build task per alliance for the month just ended (or `period`)."""
    period = period or f"{last_month():%Y-%m}"
    parse_month(period)
    ids = list(Alliance.objects.order_by("pk").values_list("pk", flat=True))
    for alliance_id in ids:
        enqueue(monthly_report_build, alliance_id, period, force=False)
    return {"month": period, "alliances": len(ids)}
