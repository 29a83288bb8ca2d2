"""The daily jobs: flagging unclaimed wishes past their date, closing fulfilments the resident never confirmed."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wishes import events
from wishes.models import Claim, Wish, WishEvent
from wishes.services.common import bump_track_versions, record_event


@transaction.atomic
def wishes_flag_overdue(*, today=None):
    """Flag published wishes past their wanted-by date that nobody claimed; a rerun flags nothing new."""
    today = today or timezone.localdate()
    now = timezone.now()
    due = Wish.objects.select_for_update().filter(
        status=Wish.Status.PUBLISHED, wanted_by__lt=today, overdue_at__isnull=True
    )
    ids = list(due.values_list("pk", flat=True))
    if not ids:
        return 0
    Wish.objects.filter(pk__in=ids, overdue_at__isnull=True).update(overdue_at=now)
    flagged = WishEvent.objects.bulk_create(
        [WishEvent(wish_id=pk, kind=WishEvent.Kind.OVERDUE, at=now) for pk in ids], batch_size=1000
    )
    transaction.on_commit(lambda: bump_track_versions({e.wish_id: e.pk for e in flagged}))
    events.wishes_overdue.send(sender=Wish, wish_ids=ids)
    return len(ids)


def unconfirmed_due(now=None):
    """Ids of fulfilled wishes whose resident has not confirmed within WISH_CONFIRM_DAYS."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.WISH_CONFIRM_DAYS)
    return list(
        Wish.objects.filter(status=Wish.Status.FULFILLED, fulfilled_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )


@transaction.atomic
def wish_auto_close(*, wish_id, now=None):
    """Close a fulfilled wish the resident never confirmed. Returns False when there is nothing to do."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.WISH_CONFIRM_DAYS)
    wish = Wish.objects.select_for_update().filter(pk=wish_id).first()
    if wish is None or wish.status != Wish.Status.FULFILLED or wish.fulfilled_at >= cutoff:
        return False
    closed = wish.claims.filter(status=Claim.Status.FULFILLED).update(
        status=Claim.Status.CLOSED, closed_at=now
    )
    confirmed = wish.claims.filter(status=Claim.Status.CONFIRMED).exists()
    wish.status = Wish.Status.CLOSED
    wish.finished_at = now
    wish.save(update_fields=["status", "finished_at"])
    event = record_event(
        wish,
        WishEvent.Kind.CLOSED,
        at=now,
        note=_("%(days)s 天内未确认，系统自动关闭（%(n)s 个认领）%(partly)s")
        % {
            "days": settings.WISH_CONFIRM_DAYS,
            "n": closed,
            "partly": _("，其余认领已确认") if confirmed else "",
        },
    )
    events.wish_closed.send(sender=Wish, wish=wish, event=event, automatic=True)
    return True
