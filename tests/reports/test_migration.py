"""The monthly report's move from the alliances app to the reports app keeps every report.

A database set up by the earlier layout (the model inside alliances, its table
alliances_monthlyreport) holds reports and a group with the report
permissions; migrated to today's layout, the reports, their documents and the
group's permissions are all still there.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from reports.models import MonthlyReport
from tests.factories import AllianceFactory, StreetFactory
from tests.utils import latest_migrations, migrate_to

BEFORE = [("alliances", "0003_monthly_reports"), ("reports", None)]
PERMISSIONS = ["view_monthlyreport", "add_monthlyreport"]


@pytest.mark.django_db(transaction=True)
def test_moving_the_report_to_its_own_app_keeps_every_report_and_permission():
    alliance = AllianceFactory(grid=StreetFactory())
    latest = latest_migrations()
    try:
        old = migrate_to(BEFORE)
        assert "alliances_monthlyreport" in connection.introspection.table_names()
        OldReport = old.get_model("alliances", "MonthlyReport")
        built = timezone.make_aware(datetime.datetime(2026, 4, 1, 2))
        for month, revision in ((datetime.date(2026, 2, 1), 1), (datetime.date(2026, 3, 1), 3)):
            OldReport.objects.create(
                alliance_id=alliance.pk,
                month=month,
                schema_version=1,
                data={"month": f"{month:%Y-%m}", "summary": {"members": 3}},
                revision=revision,
                built_at=built,
                built_via="command",
            )
        OldPermission = old.get_model("auth", "Permission")
        old_ids = list(
            OldPermission.objects.filter(
                content_type__app_label="alliances", codename__in=PERMISSIONS
            ).values_list("pk", flat=True)
        )
        assert len(old_ids) == len(PERMISSIONS)
        group = Group.objects.create(name="report-move-check")
        group.permissions.set(old_ids)

        migrate_to(latest)

        tables = connection.introspection.table_names()
        assert "reports_monthlyreport" in tables and "alliances_monthlyreport" not in tables
        stored = list(MonthlyReport.objects.order_by("month").values_list("month", "revision", "data"))
        assert [(m, r) for m, r, _d in stored] == [
            (datetime.date(2026, 2, 1), 1),
            (datetime.date(2026, 3, 1), 3),
        ]
        assert stored[1][2] == {"month": "2026-03", "summary": {"members": 3}}
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == {f"reports.{codename}" for codename in PERMISSIONS}
        assert not ContentType.objects.filter(app_label="alliances", model="monthlyreport").exists()
    finally:
        migrate_to(latest)
