"""Celery tasks of the inbox: thin, by id, idempotent (every send is claimed before it goes out)."""

from celery import shared_task

from inbox import digests, reminders, services


@shared_task
def deliver(delivery_id):
    """Send one delivery; does nothing if it was sent, is being sent, or is not due."""
    return services.delivery_send(delivery_id=delivery_id)


@shared_task
def send_digest(digest_id):
    return services.digest_send(digest_id=digest_id)


@shared_task
def sweep():
    """Every five minutes: send whatever is still pending and due (broker outage, quiet hours, retries)."""
    return services.sweep()


@shared_task
def send_digests():
    """Hourly: build the digests due (held notifications, staff's to-do) and queue them."""
    return digests.digests_build()


@shared_task
def remind_activities():
    """Daily: tell volunteers about tomorrow's activities they signed up for."""
    return reminders.remind_activities()


@shared_task
def remind_claims():
    """Daily: remind claimants of wishes wanted within INBOX_CLAIM_REMINDER_DAYS."""
    return reminders.remind_claims()
