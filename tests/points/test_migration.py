"""The ledger's move from the volunteers app to the points app keeps every row.

A database set up by the earlier layout (points models inside volunteers,
tables named volunteers_points*) is filled with rules, entries, a reversal,
periods and totals, and a group holding the ledger's permissions; then it is
migrated to today's layout and everything is compared.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from points.models import PointsEntry, PointsPeriod, PointsRule, PointsTotal
from points.services import points_award
from tests.factories import CommunityFactory, StreetFactory, VolunteerFactory
from tests.utils import latest_migrations, migrate_to

BEFORE = [("volunteers", "0005_lean_points_totals"), ("points", None)]
PERMISSIONS = ["view_pointsrule", "change_pointsrule", "view_pointsentry", "reverse_pointsentry"]


def _fill_old_layout(old, street, volunteer):
    """Ledger rows as the volunteers app stored them, through its historical models."""
    Rule = old.get_model("volunteers", "PointsRule")
    Entry = old.get_model("volunteers", "PointsEntry")
    Period = old.get_model("volunteers", "PointsPeriod")
    Total = old.get_model("volunteers", "PointsTotal")
    OldContentType = old.get_model("contenttypes", "ContentType")
    person = OldContentType.objects.get(app_label="volunteers", model="volunteer")
    rule = Rule.objects.get(code="activity_hour")
    extra = Rule.objects.create(
        code="old_layout_rule", name="旧规则", subject_kind="person", points=Decimal("7")
    )
    when = timezone.make_aware(datetime.datetime(2026, 3, 10, 12))
    entries = []
    for number in range(1, 6):
        entries.append(
            Entry.objects.create(
                rule=rule if number % 2 else extra,
                subject_kind="person",
                subject_type=person,
                subject_id=volunteer.pk,
                subject_label=volunteer.name,
                street_id=street.pk,
                grid_id=volunteer.community_id,
                source_type=person,
                source_id=1000 + number,
                quantity=Decimal(number),
                points=Decimal(number) * Decimal("2.50"),
                occurred_at=when + datetime.timedelta(hours=number),
            )
        )
    Entry.objects.create(
        rule=rule,
        subject_kind="person",
        subject_type=person,
        subject_id=volunteer.pk,
        subject_label=volunteer.name,
        street_id=street.pk,
        grid_id=volunteer.community_id,
        source_type=person,
        source_id=1001,
        quantity=Decimal("-1"),
        points=Decimal("-2.50"),
        occurred_at=when + datetime.timedelta(days=1),
        reverses=entries[0],
        note="更正",
    )
    Period.objects.create(
        kind="month", start=datetime.date(2026, 3, 1), computed_at=when, watermark=6, entries=6
    )
    Total.objects.create(
        period_kind="month",
        period_start=datetime.date(2026, 3, 1),
        street_id=street.pk,
        grid_id=volunteer.community_id,
        subject_kind="person",
        subject_type=person,
        subject_id=volunteer.pk,
        points=Decimal("35.00"),
        entries=6,
        last_at=when + datetime.timedelta(days=1),
        rank=1,
    )


def _snapshot(entry_model, total_model, rule_model, period_model):
    return {
        "rules": sorted(rule_model.objects.values_list("code", "points")),
        "entries": entry_model.objects.count(),
        "entry_points": sum(entry_model.objects.values_list("points", flat=True)),
        "reversals": entry_model.objects.filter(reverses__isnull=False).count(),
        "periods": period_model.objects.count(),
        "totals": sorted(total_model.objects.values_list("subject_id", "points", "last_at")),
    }


@pytest.mark.django_db(transaction=True)
def test_moving_the_ledger_to_its_own_app_keeps_every_row_and_permission():
    street = StreetFactory()
    volunteer = VolunteerFactory(community=CommunityFactory(parent=street))
    latest = latest_migrations()
    try:
        old = migrate_to(BEFORE)
        # The earlier layout: the ledger's tables and content types belong to volunteers.
        assert "volunteers_pointsentry" in connection.introspection.table_names()
        _fill_old_layout(old, street, volunteer)
        before = _snapshot(
            *(
                old.get_model("volunteers", n)
                for n in ("PointsEntry", "PointsTotal", "PointsRule", "PointsPeriod")
            )
        )
        group = Group.objects.create(name="points-move-check")
        OldPermission = old.get_model("auth", "Permission")
        old_ids = list(
            OldPermission.objects.filter(
                content_type__app_label="volunteers", codename__in=PERMISSIONS
            ).values_list("pk", flat=True)
        )
        assert len(old_ids) == len(PERMISSIONS)
        group.permissions.set(old_ids)

        migrate_to(latest)

        tables = connection.introspection.table_names()
        assert "points_pointsentry" in tables and "volunteers_pointsentry" not in tables
        after = _snapshot(PointsEntry, PointsTotal, PointsRule, PointsPeriod)
        assert after == before
        assert after["entries"] == 6 and after["entry_points"] == Decimal("35.00")
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == {f"points.{codename}" for codename in PERMISSIONS}
        assert set(Permission.objects.filter(pk__in=old_ids).values_list("pk", flat=True)) == set(old_ids)
        assert not ContentType.objects.filter(app_label="volunteers", model__startswith="points").exists()
        # The renamed table keeps its id sequence: a new award follows the old rows.
        highest = max(PointsEntry.objects.values_list("pk", flat=True))
        entry = points_award(rule_code="activity_hour", subject=volunteer, source=street)
        assert entry is not None and entry.pk > highest
    finally:
        migrate_to(latest)
