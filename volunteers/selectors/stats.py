"""Numbers for the staff dashboard and the monthly report."""

from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

from alliances.models import unit_keys, unit_name_key
from portal.months import add_months
from portal.scoping import aggregate_in
from volunteers.models import (
    ServiceRecord,
    Volunteer,
)


def counted_hours(scope, since, *, per="day", by_node=False):
    """Counted hours and person-times since the date `since`, inside `scope`.

    Rows of `start` (the day, or with per="month" the month's first day),
    `hours` and `records`; with `by_node`, a row per period and grid node.
    """
    records = ServiceRecord.objects.counted().filter(service_date__gte=since)
    if per == "month":
        records = records.annotate(start=TruncMonth("service_date"))
    else:
        records = records.annotate(start=F("service_date"))
    return aggregate_in(
        records, scope, {"hours": Sum("hours"), "records": Count("pk")}, group=("start",), by_node=by_node
    )


def party_member_filter(street_tree, prefix=""):
    """Party members living in the street who name a work unit: those a member unit can count."""
    return Q(**{f"{prefix}is_party_member": True, f"{prefix}community__tree_id": street_tree}) & ~Q(
        **{f"{prefix}work_unit": ""}
    )


def unit_party_members(area, street_tree, units, month):
    """Per member unit: its party members in the street, and their counted service in `area` in `month`.

    A party member counts for a unit when their work unit matches the unit's
    name (`alliances.models.unit_name_key`). Rows of unit_id, unit, members,
    serving (people who served), records and hours (Decimal), for units with any.
    """
    if not units:
        return []
    keys = unit_keys(units.values())
    rows = {
        pk: {
            "unit_id": pk,
            "unit": unit.name,
            "members": 0,
            "serving": 0,
            "records": 0,
            "hours": Decimal("0"),
        }
        for pk, unit in units.items()
    }
    registered = (
        Volunteer.objects.filter(party_member_filter(street_tree))
        .values("work_unit")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in registered:
        owner = keys.get(unit_name_key(row["work_unit"]))
        if owner is not None:
            rows[owner]["members"] += row["n"]
    served = (
        ServiceRecord.objects.counted()
        .filter(
            party_member_filter(street_tree, "volunteer__"),
            service_date__gte=month,
            service_date__lt=add_months(month, 1),
            **area.lookups("community__"),
        )
        .values("volunteer__work_unit")
        .annotate(hours=Sum("hours"), records=Count("pk"), people=Count("volunteer", distinct=True))
        .order_by()
    )
    for row in served:
        owner = keys.get(unit_name_key(row["volunteer__work_unit"]))
        if owner is not None:
            rows[owner]["serving"] += row["people"]
            rows[owner]["records"] += row["records"]
            rows[owner]["hours"] += row["hours"] or Decimal("0")
    return [row for row in rows.values() if row["members"] or row["records"]]
