"""Daily digests: held notifications gathered into one message, and the to-do by e-mail.

A digest is built once per user, channel and day (its key is unique), with
its text, and sent like a delivery: claimed with a conditional UPDATE, so a
rerun of the hourly job or a sweep never sends it twice. A user's digest goes
out at their chosen hour or at the first run after it (a missed hour is
caught up, not skipped).
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from inbox.models import Channel, Delivery, Digest, Preference, SendStatus
from inbox.services import _enqueue, quiet_until
from portal.models import User
from portal.text import labelled

SMS_DIGEST_LENGTH = 300


def _new_digest(**fields):
    """Create the day's digest, or None if this key exists already (built before)."""
    try:
        with transaction.atomic():
            return Digest.objects.create(**fields)
    except IntegrityError:
        return None


def _due(pref, hour):
    return (pref.digest_hour if pref else 8) <= hour


@transaction.atomic
def _notifications_digest(user, channel_name, address, pref, now, day):
    digest = _new_digest(
        user=user,
        channel=channel_name,
        content=Digest.Content.NOTIFICATIONS,
        day=day,
        key=f"notifications:{user.pk}:{channel_name}:{day:%Y%m%d}",
        address=address,
        not_before=quiet_until(now, pref.quiet_start, pref.quiet_end)
        if channel_name == Channel.SMS
        else None,
        created_at=now,
    )
    if digest is None:
        return None
    held = Delivery.objects.select_for_update().filter(
        notification__recipient=user, channel=channel_name, status=SendStatus.HELD
    )
    notifications = [
        d.notification for d in held.select_related("notification").order_by("notification__created_at")
    ]
    held.update(status=SendStatus.DIGESTED, digest=digest)
    digest.subject, digest.text = _notifications_text(notifications, channel_name, day)
    digest.save(update_fields=["subject", "text"])
    return digest


def _notifications_text(notifications, channel_name, day):
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("消息摘要 %(day)s") % {"day": f"{day:%Y-%m-%d}"}
        if channel_name == Channel.SMS:
            head = _("您有 %(n)s 条新消息：") % {"n": len(notifications)}
            tail = _("详情请登录平台查看。")
            room = SMS_DIGEST_LENGTH - len(head) - len(tail)
            joined = "；".join(n.body for n in notifications)
            if len(joined) > room:
                joined = joined[: max(room - 1, 0)] + "…"
            return subject, f"{head}{joined}{tail}"
        lines = [f"· {labelled(n.title, n.body)}" for n in notifications]
        lines += ["", f"{settings.SITE_URL}{reverse('inbox:notifications')}"]
        return subject, "\n".join(lines)


def _todo_digest(user, pref, now, day):
    from inbox.board import todo_for

    digest = _new_digest(
        user=user,
        channel=Channel.EMAIL,
        content=Digest.Content.TODO,
        day=day,
        key=f"todo:{user.pk}:{day:%Y%m%d}",
        address=user.email,
        created_at=now,
    )
    if digest is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        board = todo_for(user)
        if not board.total:
            Digest.objects.filter(pk=digest.pk).update(status=SendStatus.SKIPPED)
            return None
        digest.subject = _("我的待办 %(day)s：%(n)s 项") % {"day": f"{day:%Y-%m-%d}", "n": board.total}
        lines = [_("%(name)s，您好：") % {"name": user.get_full_name()}, ""]
        for section in board.sections:
            lines.append(f"· {labelled(section.title, section.count)}")
            lines += [f"    {item.label}" for item in section.items[:5]]
        lines += ["", f"{settings.SITE_URL}{reverse('inbox:todo')}"]
        digest.text = "\n".join(lines)
    digest.save(update_fields=["subject", "text"])
    return digest


def digests_build(*, now=None):
    """Build the digests due this hour and queue them; returns how many were built."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    day, hour = local.date(), local.hour
    built = []
    held = (
        Delivery.objects.filter(status=SendStatus.HELD)
        .values_list("notification__recipient_id", "channel", "address")
        .order_by("notification__recipient_id", "channel", "-created_at")
    )
    latest = {}
    for user_id, channel_name, address in held:
        latest.setdefault((user_id, channel_name), address)
    user_ids = {user_id for user_id, _channel in latest}
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in=user_ids)}
    users = User.objects.in_bulk(user_ids)
    for (user_id, channel_name), address in latest.items():
        pref = prefs.get(user_id) or Preference(user_id=user_id)
        if _due(pref, hour):
            built.append(_notifications_digest(users[user_id], channel_name, address, pref, now, day))
    built += _todo_digests(now, day, hour)
    built = [d for d in built if d is not None]
    for digest in built:
        transaction.on_commit(lambda pk=digest.pk: _enqueue("send_digest", pk))
    return len(built)


def _todo_digests(now, day, hour):
    """Staff with an e-mail address get their to-do once a day (they can turn it off)."""
    done = Digest.objects.filter(content=Digest.Content.TODO, day=day).values("user_id")
    staff = (
        User.objects.filter(is_active=True, staff_profile__isnull=False)
        .exclude(email="")
        .exclude(pk__in=done)
        .exclude(inbox_preference__todo_email=False)
        .exclude(inbox_preference__email=False)
        .select_related("inbox_preference")
        .order_by("pk")
    )
    built = []
    for user in staff:
        pref = getattr(user, "inbox_preference", None)
        if _due(pref, hour):
            built.append(_todo_digest(user, pref, now, day))
    return built
