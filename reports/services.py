"""Writes of the monthly joint-meeting reports: build a month's snapshot, or every alliance's."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.models import Alliance
from portal.access import staff_over
from portal.months import check_month
from reports.build import SCHEMA_VERSION, build_report_data
from reports.models import MonthlyReport


@transaction.atomic
def report_build(*, alliance, month, via, actor=None, now=None):
    """Build (or build again) the frozen report of `alliance` for `month` and store it.

    The alliance row is locked first, so two builders of the same alliance run
    one after the other and the second replaces the first's snapshot instead
    of colliding with it; the month's previous snapshot is replaced in this
    transaction, and no other month is touched.
    """
    now = now or timezone.now()
    try:
        check_month(month, now)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    if month.day != 1:
        raise ValidationError(_("报告月份必须是某月的第一天。"))
    alliance = Alliance.objects.select_for_update(of=("self",)).select_related("grid").get(pk=alliance.pk)
    if actor is not None and not staff_over(actor, alliance.grid, "reports.add_monthlyreport"):
        raise PermissionDenied(_("您没有权限进行此操作。"))
    data = build_report_data(alliance, month, now=now)
    report = MonthlyReport.objects.filter(alliance=alliance, month=month).first()
    if report is None:
        report = MonthlyReport(alliance=alliance, month=month, revision=0)
    report.schema_version = SCHEMA_VERSION
    report.data = data
    report.revision += 1
    report.built_at, report.built_by, report.built_via = now, actor, via
    report.save()
    return report


def reports_build_month(*, month, via, alliances=None, now=None):
    """Build `month`'s report of every alliance (or of `alliances`), each in its own transaction."""
    alliances = Alliance.objects.order_by("pk") if alliances is None else alliances
    return [report_build(alliance=alliance, month=month, via=via, now=now) for alliance in alliances]
