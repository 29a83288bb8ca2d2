"""Celery tasks for micro-wishes: thin, by id, idempotent.

Telling people what happened is the inbox's work: the services send domain
events (wishes/events.py) and the inbox writes and delivers the messages.
"""

from celery import shared_task

from wishes import services


@shared_task
def flag_overdue_wishes():
    """Daily: flag published wishes past their wanted-by date with no claim."""
    return services.wishes_flag_overdue()


@shared_task
def close_unconfirmed_wishes():
    """Daily: close fulfilled wishes the resident did not confirm within WISH_CONFIRM_DAYS."""
    closed = 0
    for wish_id in services.unconfirmed_due():
        closed += services.wish_auto_close(wish_id=wish_id)
    return closed
