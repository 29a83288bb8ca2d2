"""The reports part of seed_demo: the monthly reports of the months the alliances' demo covers."""

from alliances import demo as alliances_demo
from reports import demo


def test_finishing_builds_the_reports_of_the_months_the_demo_covers_once(ctx):
    from portal.months import last_month
    from reports.models import MonthlyReport

    alliances_demo.seed_street(ctx)
    demo.seed_finish([ctx])
    last = last_month()
    reports = MonthlyReport.objects.all()
    assert reports.count() == 13 * alliances_demo.PROJECT_MONTHS
    assert set(reports.values_list("built_via", flat=True)) == {"demo"}
    assert max(reports.values_list("month", flat=True)) == last
    street_report = reports.get(alliance__grid=ctx.street, month=last)
    assert street_report.data["chair"] is not None
    assert street_report.data["projects"] and street_report.data["meetings"]

    demo.seed_finish([ctx])
    assert MonthlyReport.objects.count() == 13 * alliances_demo.PROJECT_MONTHS
    assert set(MonthlyReport.objects.values_list("revision", flat=True)) == {1}
