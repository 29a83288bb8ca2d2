"""Demo data of the points app: the rollup of everything the other apps' demos booked.

seed_demo runs every app's seed_street first (they book their points there,
through `points_award_bulk`), then the seed_finish functions; this one rolls
the ledger up: past months closed, as at month end, and this month open.
"""

from django.utils import timezone

from points.models import PointsEntry
from points.services import points_rollup
from portal.months import month_start, next_month


def seed_finish(contexts):
    now = timezone.now()
    first = PointsEntry.objects.order_by("occurred_at").values_list("occurred_at", flat=True).first()
    if first is None:
        return
    current = month_start(timezone.localdate(now))
    month = month_start(timezone.localdate(first))
    past = []
    while month < current:
        past.append(month)
        month = next_month(month)
    if past:
        points_rollup(months=past, close=True, now=now)
    points_rollup(months=[current], now=now)
