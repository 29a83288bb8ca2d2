"""Celery tasks for micro-wishes: thin, by id, idempotent.

Each notification is claimed first with a conditional UPDATE (0 rows: some
other run already sent it), so a task delivered twice sends once.
"""

from celery import shared_task
from django.utils import timezone

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


@shared_task
def notify_resident(event_id):
    """SMS the resident about one event of their wish (published, rejected, fulfilled)."""
    from wishes.digest import resident_message
    from wishes.models import WishEvent
    from wishes.notifications import send_sms

    if not WishEvent.objects.filter(pk=event_id, notified_at__isnull=True).update(notified_at=timezone.now()):
        return False
    event = WishEvent.objects.select_related("wish").get(pk=event_id)
    return send_sms(event.wish.phone, resident_message(event))


@shared_task
def notify_claimant_confirmed(claim_id):
    """Tell the claimant that the resident confirmed and rated their help."""
    from wishes.digest import claimant_confirmed_message
    from wishes.models import Claim

    if not Claim.objects.filter(pk=claim_id, notified_at__isnull=True).update(notified_at=timezone.now()):
        return False
    claim = Claim.objects.select_related("wish", "volunteer__user", "team__leader__user", "unit").get(
        pk=claim_id
    )
    return claimant_confirmed_message(claim).send()


@shared_task
def send_staff_digests():
    """Daily: each reviewer gets the new and overdue wishes of their scope, once per day."""
    from wishes.digest import send_digests

    return send_digests(timezone.localdate())
