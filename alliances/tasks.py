"""Celery jobs of the alliances: the monthly joint-meeting reports.

Each task is thin and idempotent: it names an alliance and a month ('YYYY-MM')
and calls the service that replaces that month's snapshot.
"""

from celery import shared_task

from alliances import reports, services
from alliances.models import Alliance, MonthlyReport
from portal.queue import enqueue


@shared_task
def monthly_report_build(alliance_id, period, force=True):
    """Build one alliance's report for one month.

    With `force` off (the monthly job), a report already built after the month
    ended is left alone, so a redelivered task does nothing new.
    """
    alliance = Alliance.objects.filter(pk=alliance_id).first()
    if alliance is None:
        return "alliance gone"
    month = reports.parse_month(period)
    if not force:
        month_over = reports.month_bounds(month)[1]
        if MonthlyReport.objects.filter(alliance=alliance, month=month, built_at__gte=month_over).exists():
            return "already built"
    report = services.report_build(alliance=alliance, month=month, via=MonthlyReport.BuiltVia.TASK)
    return f"built revision {report.revision}"


@shared_task
def monthly_reports_last_month(period=None):
    """The job on the 1st: one build task per alliance for the month just ended (or `period`)."""
    period = period or f"{reports.last_month():%Y-%m}"
    reports.parse_month(period)
    ids = list(Alliance.objects.order_by("pk").values_list("pk", flat=True))
    for alliance_id in ids:
        enqueue(monthly_report_build, alliance_id, period, force=False)
    return {"month": period, "alliances": len(ids)}
