"""`manage.py monthly_reports`, the Celery tasks behind it and the beat entry."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from alliances.models import Alliance
from portal import months as reports
from reports.models import MonthlyReport
from reports.tasks import monthly_report_build, monthly_reports_last_month
from tests.alliances.report_world import MARCH


def run(*args):
    out = io.StringIO()
    call_command("monthly_reports", *args, stdout=out)
    return out.getvalue()


def test_the_command_builds_every_alliance_for_the_month(march):
    output = run("--month", "2026-03")
    alliances = Alliance.objects.count()
    assert alliances == 3
    assert MonthlyReport.objects.filter(month=MARCH).count() == alliances
    assert set(MonthlyReport.objects.values_list("built_via", flat=True)) == {"command"}
    assert "2026-03: built 3 reports (0 replaced)" in output
    street = MonthlyReport.objects.get(alliance=march.alliance)
    assert street.data["chair"]["name"] == "街道供电所"

    again = run("--month", "2026-03")
    assert "built 3 reports (3 replaced)" in again
    assert MonthlyReport.objects.count() == 3
    assert MonthlyReport.objects.get(alliance=march.alliance).revision == 2


def test_the_command_defaults_to_last_month_and_can_name_alliances(march):
    output = run("--alliance", str(march.alliance.pk))
    last = reports.last_month()
    assert f"{last:%Y-%m}: built 1 reports" in output
    assert list(MonthlyReport.objects.values_list("alliance", "month")) == [(march.alliance.pk, last)]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--month", "2026-13"], "YYYY-MM"),
        (["--month", "2999-01"], "未来"),
        (["--alliance", "999999"], "no alliance with id 999999"),
    ],
)
def test_the_command_refuses_bad_input(march, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not MonthlyReport.objects.exists()


def test_the_task_builds_one_alliance_and_month(march):
    result = monthly_report_build.delay(march.alliance.pk, "2026-03").get()
    assert result == "built revision 1"
    report = MonthlyReport.objects.get()
    assert (report.alliance, report.month, report.built_via, report.built_by) == (
        march.alliance,
        MARCH,
        "task",
        None,
    )
    assert monthly_report_build.delay(march.alliance.pk, "2026-03").get() == "built revision 2"
    assert monthly_report_build.delay(999999, "2026-03").get() == "alliance gone"


def test_the_monthly_job_builds_last_month_once(march):
    result = monthly_reports_last_month.delay("2026-03").get()
    assert result == {"month": "2026-03", "alliances": 3}
    first = dict(MonthlyReport.objects.values_list("pk", "built_at"))
    assert len(first) == 3

    # Delivered again (acks_late): reports built after the month ended stay as they are.
    monthly_reports_last_month.delay("2026-03").get()
    assert dict(MonthlyReport.objects.values_list("pk", "built_at")) == first
    assert set(MonthlyReport.objects.values_list("revision", flat=True)) == {1}


def test_the_monthly_job_replaces_a_report_built_before_the_month_ended(march):
    from reports import services

    early = services.report_build(
        alliance=march.alliance,
        month=MARCH,
        via=MonthlyReport.BuiltVia.PAGE,
        now=timezone.make_aware(datetime.datetime(2026, 3, 20, 9)),
    )
    assert early.data["complete"] is False
    monthly_reports_last_month.delay("2026-03").get()
    report = MonthlyReport.objects.get(pk=early.pk)
    assert (report.revision, report.built_via, report.data["complete"]) == (2, "task", True)


def test_beat_builds_last_months_reports_on_the_first_after_the_points_close():
    entry = settings.CELERY_BEAT_SCHEDULE["reports-monthly"]
    assert entry["task"] == "reports.tasks.monthly_reports_last_month"
    schedule = entry["schedule"]
    assert schedule.day_of_month == {1}
    assert (schedule.hour, schedule.minute) == ({2}, {0})
    closing = settings.CELERY_BEAT_SCHEDULE["points-rollup-month-end"]["schedule"]
    assert min(closing.hour) * 60 + min(closing.minute) < 2 * 60
