"""Texts of the notifications, and the staff's daily digest."""

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import User
from wishes import selectors
from wishes.models import DigestSent, Wish, WishEvent
from wishes.notifications import send_email, send_sms


def resident_message(event):
    wish = event.wish
    if event.kind == WishEvent.Kind.PUBLISHED:
        text = _("您的微心愿（查询码 %(code)s）已通过审核，发布到心愿墙。")
    elif event.kind == WishEvent.Kind.REJECTED:
        text = _("您的微心愿（查询码 %(code)s）未通过审核：%(note)s")
    else:
        text = _("您的微心愿（查询码 %(code)s）已有认领方完成，请凭查询码确认并评价。")
    return text % {"code": wish.code, "note": event.note}


@dataclass
class Message:
    emails: list = field(default_factory=list)
    phones: list = field(default_factory=list)
    subject: str = ""
    body: str = ""

    def send(self):
        sent = send_email(self.emails, self.subject, self.body)
        for phone in self.phones:
            sent += bool(send_sms(phone, self.body))
        return sent


def claimant_confirmed_message(claim):
    """To the people behind a claim: the volunteer, the team leader, or the unit's liaisons."""
    users = []
    phones = []
    if claim.volunteer_id:
        users = [claim.volunteer.user] if claim.volunteer.user_id else []
        phones = [claim.volunteer.phone]
    elif claim.team_id:
        leader = claim.team.leader
        users = [leader.user] if leader and leader.user_id else []
        phones = [leader.phone] if leader else []
    else:
        users = list(claim.unit.liaisons.all())
    body = _("居民确认了您认领的微心愿（%(text)s），评分 %(rating)s 星。%(comment)s 感谢您的付出！") % {
        "text": claim.wish.shown_text[:40],
        "rating": claim.rating,
        "comment": _("评价：%(c)s。") % {"c": claim.comment} if claim.comment else "",
    }
    return Message(
        emails=[u.email for u in users if u and u.email],
        phones=[p for p in phones if p],
        subject=_("微心愿已获居民确认"),
        body=body,
    )


def reviewers():
    """Active users whose role lets them review wishes and who have an email address."""
    return (
        User.objects.filter(
            is_active=True,
            groups__permissions__codename="review_wish",
            groups__permissions__content_type__app_label="wishes",
            staff_profile__isnull=False,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def digest_for(user, now):
    since = now - datetime.timedelta(days=1)
    new = list(selectors.review_queue(user).filter(submitted_at__gte=since)[:50])
    waiting = selectors.review_queue(user).count()
    overdue = list(selectors.overdue_wishes(user)[:50])
    unconfirmed = selectors.wishes_visible_to(user).filter(status=Wish.Status.FULFILLED).count()
    return new, waiting, overdue, unconfirmed


def digest_body(user, new, waiting, overdue, unconfirmed):
    lines = [
        _("%(name)s，您好：") % {"name": user.get_full_name()},
        "",
        _("待审核的微心愿共 %(n)s 个，其中过去一天新提交 %(new)s 个：") % {"n": waiting, "new": len(new)},
    ]
    lines += [
        f"  · {w.submitted_at:%m-%d %H:%M} {w.community.name} {w.get_category_display()}：{w.text[:30]}"
        for w in new
    ]
    lines += ["", _("逾期无人认领的心愿 %(n)s 个：") % {"n": len(overdue)}]
    lines += [f"  · {w.wanted_by:%Y-%m-%d} {w.community.name}：{w.shown_text[:30]}" for w in overdue]
    lines += ["", _("已完成、等待居民确认的心愿 %(n)s 个。") % {"n": unconfirmed}]
    return "\n".join(lines)


def send_digests(day):
    """One digest per reviewer per day: the DigestSent row is taken before the mail goes out."""
    now = timezone.now()
    sent = 0
    for user in reviewers():
        try:
            with transaction.atomic():
                DigestSent.objects.create(user=user, day=day)
        except IntegrityError:
            continue  # already sent today
        new, waiting, overdue, unconfirmed = digest_for(user, now)
        if not (new or overdue or waiting or unconfirmed):
            continue
        sent += send_email(
            [user.email],
            _("微心愿每日摘要 %(day)s") % {"day": day.isoformat()},
            digest_body(user, new, waiting, overdue, unconfirmed),
        )
    return sent
