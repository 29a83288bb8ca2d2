"""Writes for notifications: record them with the change, send each once, digest, remind.

`notifications_write` runs inside the transaction of the change it is about
(a receiver of a domain event), so the rows are the outbox. Sending happens
after commit, in Celery: each delivery is claimed with a conditional UPDATE
(PENDING → SENDING) and only the claimer sends, so a task delivered twice, a
sweep racing a worker, or two sweeps never send one message twice.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from inbox import counts
from inbox.channels import channel
from inbox.messages import outgoing, words_for
from inbox.models import Channel, Delivery, Digest, Kind, Notification, Preference, SendStatus
from inbox.sms import SendError
from portal.queue import enqueue
from volunteers.selectors import phones_of_users

log = logging.getLogger("inbox")

# Minutes to wait before the next try after a transient failure, by attempt.
RETRY_MINUTES = (1, 5, 15, 60, 240)
# A delivery still "sending" this long after it was claimed belongs to a
# worker that died mid-send. Whether it went out is unknown, and sending it
# again could send it twice, so it is marked failed for staff to look at.
STALE_MINUTES = 30
SWEEP_BATCH = 500


@dataclass
class Note:
    """One notification to write: to a user, or to a phone number (a resident)."""

    key: str
    recipient: object = None
    phone: str = ""
    params: dict = field(default_factory=dict)
    link: str = ""
    grid_id: int | None = None


# --- preferences and quiet hours ----------------------------------------------------------


def preference_of(user):
    """The user's saved preference, or an unsaved one with the defaults."""
    found = Preference.objects.filter(user=user).first()
    return found or Preference(user=user)


def quiet_until(now, start, end):
    """The end of the quiet hours if `now` falls inside them (local time), else None."""
    if start == end:
        return None
    local = timezone.localtime(now)
    hour = local.hour
    quiet = start <= hour < end if start < end else (hour >= start or hour < end)
    if not quiet:
        return None
    until = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if until <= local:
        until += datetime.timedelta(days=1)
    return until


# --- writing ------------------------------------------------------------------------------------


@transaction.atomic
def notifications_write(*, kind, notes, now=None):
    """Write notifications of one kind and their deliveries; a key already written is skipped.

    Returns the notifications written. A fixed number of queries whatever the
    number of notes, so a job that tells a thousand people stays cheap.
    """
    kind = Kind(kind)
    now = now or timezone.now()
    notes = list({note.key: note for note in notes}.values())
    if not notes:
        return []
    existing = set(Notification.objects.filter(key__in=[n.key for n in notes]).values_list("key", flat=True))
    notes = [n for n in notes if n.key not in existing]
    if not notes:
        return []
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=n.recipient,
                phone="" if n.recipient is not None else n.phone,
                kind=kind,
                params=n.params,
                link=n.link[:200],
                key=n.key[:120],
                grid_id=n.grid_id,
                created_at=now,
            )
            for n in notes
        ],
        ignore_conflicts=True,  # another transaction wrote the same event meanwhile
    )
    written = list(
        Notification.objects.filter(key__in=[n.key for n in notes], created_at=now).select_related(
            "recipient"
        )
    )
    deliveries = _deliveries_for(written, words_for(kind).urgent, now)
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    recipients = {n.recipient_id for n in written if n.recipient_id}
    transaction.on_commit(lambda: _after_commit([n.pk for n in written], recipients))
    return written


def _deliveries_for(notifications, urgent, now):
    users = [n.recipient for n in notifications if n.recipient_id]
    prefs = {p.user_id: p for p in Preference.objects.filter(user__in=users)}
    phones = phones_of_users([u for u in users if not u.phone])
    result = []
    for notification in notifications:
        user = notification.recipient
        if user is None:
            quiet = None if urgent else quiet_until(now, settings.INBOX_QUIET_START, settings.INBOX_QUIET_END)
            result.append(_delivery(notification, Channel.SMS, notification.phone, quiet, False, now))
            continue
        pref = prefs.get(user.pk) or Preference(user=user)
        held = pref.digest and not urgent
        if pref.email and user.email:
            result.append(_delivery(notification, Channel.EMAIL, user.email, None, held, now))
        phone = user.phone or phones.get(user.pk, "")
        if pref.sms and phone:
            quiet = None if urgent else quiet_until(now, pref.quiet_start, pref.quiet_end)
            result.append(_delivery(notification, Channel.SMS, phone, quiet, held, now))
    return result


def _delivery(notification, channel_name, address, not_before, held, now):
    return Delivery(
        notification=notification,
        channel=channel_name,
        address=address,
        status=SendStatus.HELD if held else SendStatus.PENDING,
        not_before=not_before,
        created_at=now,
    )


def _after_commit(notification_ids, recipient_ids):
    counts.forget(recipient_ids)
    due = Delivery.objects.filter(
        notification_id__in=notification_ids, status=SendStatus.PENDING, not_before__isnull=True
    ).values_list("pk", flat=True)
    for pk in due:
        _enqueue("deliver", pk)


def _enqueue(task_name, *args):
    """Queue a send through the kernel's queue; a broker that is down keeps it in the task
    outbox, and the sweep would send the delivery anyway: its row is pending until it is sent."""
    enqueue(f"inbox.tasks.{task_name}", *args)


# --- reading state ----------------------------------------------------------------------------


@transaction.atomic
def notification_read(*, notification, user, now=None):
    """Mark one of the user's notifications read (again: nothing changes)."""
    changed = Notification.objects.filter(pk=notification.pk, recipient=user, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )
    if changed:
        transaction.on_commit(lambda: counts.forget([user.pk]))
    return bool(changed)


@transaction.atomic
def notifications_read_all(*, user, now=None):
    changed = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )
    transaction.on_commit(lambda: counts.forget([user.pk]))
    return changed


@transaction.atomic
def preference_save(*, user, **values):
    preference, _created = Preference.objects.update_or_create(user=user, defaults=values)
    return preference


# --- sending ----------------------------------------------------------------------------------


def _claim(model, pk, now):
    """PENDING → SENDING if due; 1 means this caller sends it, 0 that someone else has it or it is not due."""
    return (
        model.objects.filter(pk=pk, status=SendStatus.PENDING)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .update(status=SendStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def _finish(model, pk, *, ref="", now=None):
    model.objects.filter(pk=pk, status=SendStatus.SENDING).update(
        status=SendStatus.SENT,
        sent_at=now or timezone.now(),
        error="",
        **({"provider_ref": ref[:80]} if model is Delivery else {}),
    )


def _fail(model, row, error, now):
    retry = getattr(error, "retry", False) and row.attempts < settings.INBOX_MAX_ATTEMPTS
    if retry:
        wait = RETRY_MINUTES[min(row.attempts, len(RETRY_MINUTES)) - 1]
        changes = {"status": SendStatus.PENDING, "not_before": now + datetime.timedelta(minutes=wait)}
    else:
        changes = {"status": SendStatus.FAILED}
    model.objects.filter(pk=row.pk, status=SendStatus.SENDING).update(error=str(error)[:300], **changes)


def _link(path):
    return f"{settings.SITE_URL}{path}" if path else ""


def delivery_send(*, delivery_id, now=None):
    """Send one delivery if it is due and nobody else has claimed it. True when it went out.

    Not one transaction: the claim is its own statement, committed before the
    provider is called, so no row lock is held while the network answers.
    """
    now = now or timezone.now()
    if not _claim(Delivery, delivery_id, now):
        return False
    delivery = Delivery.objects.select_related("notification").get(pk=delivery_id)
    notification = delivery.notification
    subject, text = outgoing(notification)
    if delivery.channel == Channel.EMAIL and notification.link:
        text = f"{text}\n\n{_link(notification.link)}"
    try:
        ref = channel(delivery.channel).send(
            address=delivery.address,
            subject=subject,
            text=text,
            kind=notification.kind,
            params=notification.params,
        )
    except SendError as error:
        _fail(Delivery, delivery, error, now)
        return False
    except Exception as error:  # a bug, not the network: never retried, so never sent twice
        log.exception("delivery %s failed", delivery_id)
        _fail(Delivery, delivery, error, now)
        return False
    finally:
        _scrub(notification)
    _finish(Delivery, delivery_id, ref=ref or "")
    return True


def _scrub(notification):
    """Wipe one-time secrets (a recovery code) from the row once their only send is over."""
    secret = words_for(notification.kind).scrub
    if secret and any(name in notification.params for name in secret):
        kept = {k: v for k, v in notification.params.items() if k not in secret}
        Notification.objects.filter(pk=notification.pk).update(params=kept)


def digest_send(*, digest_id, now=None):
    now = now or timezone.now()
    if not _claim(Digest, digest_id, now):
        return False
    digest = Digest.objects.get(pk=digest_id)
    try:
        channel(digest.channel).send(
            address=digest.address,
            subject=digest.subject,
            text=digest.text,
            kind=f"digest_{digest.content}",
            params={"content": digest.text},
        )
    except Exception as error:
        if not isinstance(error, SendError):
            log.exception("digest %s failed", digest_id)
        _fail(Digest, digest, error, now)
        return False
    _finish(Digest, digest_id)
    return True


def sweep(*, now=None):
    """Send what is due and still pending: after a broker outage, quiet hours, a retry wait.

    Returns how many went out. Also gives up on sends a dead worker left half-done.
    """
    now = now or timezone.now()
    stale = now - datetime.timedelta(minutes=STALE_MINUTES)
    for model in (Delivery, Digest):
        model.objects.filter(status=SendStatus.SENDING, claimed_at__lt=stale).update(
            status=SendStatus.FAILED, error="发送中断，未能确认是否送达"
        )
    due = Q(status=SendStatus.PENDING) & (Q(not_before__isnull=True) | Q(not_before__lte=now))
    sent = 0
    for pk in Delivery.objects.filter(due).order_by("pk").values_list("pk", flat=True)[:SWEEP_BATCH]:
        sent += delivery_send(delivery_id=pk, now=now)
    for pk in Digest.objects.filter(due).order_by("pk").values_list("pk", flat=True)[:SWEEP_BATCH]:
        sent += digest_send(digest_id=pk, now=now)
    return sent
