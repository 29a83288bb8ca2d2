"""Demo data of the reports app: the monthly reports of the past months the demo covers.

seed_demo runs every street's seed_street (wishes and their claims included)
before any seed_finish, and the seed_finish functions in INSTALLED_APPS order,
so the points rollup (points' seed_finish, which the reports' points section
reads) has run when this one builds the reports.
"""

from django.utils import timezone

from alliances.demo import PROJECT_MONTHS
from alliances.models import Alliance
from portal.months import add_months, last_month
from reports.models import MonthlyReport
from reports.services import report_build

# Months of reports built: every month the alliances' demo data covers in the
# street profile, the last two in the district profile.
DISTRICT_MONTHS = 2


def seed_finish(contexts):
    if not contexts:
        return
    now = timezone.now()
    last = last_month(now)
    months_back = PROJECT_MONTHS if contexts[0].profile == "street" else DISTRICT_MONTHS
    months = [add_months(last, -k) for k in range(months_back - 1, -1, -1)]
    alliances = list(
        Alliance.objects.filter(grid__tree_id__in=[ctx.street.tree_id for ctx in contexts])
        .select_related("grid")
        .order_by("grid__tree_id", "grid__lft")
    )
    built = set(
        MonthlyReport.objects.filter(alliance__in=alliances, month__in=months).values_list(
            "alliance_id", "month"
        )
    )
    count = 0
    for month in months:
        for alliance in alliances:
            if (alliance.pk, month) not in built:
                report_build(alliance=alliance, month=month, via=MonthlyReport.BuiltVia.DEMO, now=now)
                count += 1
    contexts[0].count("monthly reports", count)
