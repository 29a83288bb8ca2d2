"""Celery jobs of grid cases: thin, idempotent, calling a service."""

from celery import shared_task

from cases import services


@shared_task
def check_overdue():
    """Every five minutes: mark and escalate overdue cases and dispatches, remind those near their limit."""
    return services.cases_check_overdue()
