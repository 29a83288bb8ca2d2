"""Celery jobs of the points ledger. Each is thin and idempotent: it names a
period (or none) and calls a service that replaces that period's totals."""

from celery import shared_task

from points import services
from portal.months import parse_month


@shared_task
def rollup_points_nightly():
    """Recompute the current month (if its ledger changed) and close forgotten past months."""
    return [str(result) for result in services.points_rollup_due()]


@shared_task
def rollup_points_close_month(period=None):
    """Final totals of the month just ended (or `period`, 'YYYY-MM'), then close it."""
    month = parse_month(period) if period else None
    result = services.points_close_month(month=month)
    return str(result) if result else "already closed"


@shared_task
def rollup_points_period(period):
    """Recompute one month ('YYYY-MM'), its quarter and its year, closed or not."""
    return str(services.points_rollup(months=[parse_month(period)]))
