"""The resident's side: submitting a wish (or following a shared one), confirming and rating, saying it is not done."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Grid
from points.services import points_award
from wishes import events, selectors
from wishes.models import Claim, Wish, WishEvent, WishFollower
from wishes.services.claims import settle
from wishes.services.common import POINTS_RULES, record_event, with_unique_code


class TooManyWishes(ValidationError):
    """The phone number has saved WISH_SUBMITS_PER_PHONE wishes in the last 24 hours."""


def _check_phone_limit(phone, now):
    since = now - datetime.timedelta(hours=24)
    if selectors.saves_by_phone_since(phone, since) >= settings.WISH_SUBMITS_PER_PHONE:
        raise TooManyWishes(
            _("这个手机号 24 小时内已经提交了 %(n)s 个心愿，请明天再提交，或直接打电话给社区。")
            % {"n": settings.WISH_SUBMITS_PER_PHONE}
        )


@transaction.atomic
def wish_submit(
    *,
    name,
    phone,
    grid,
    category,
    text,
    wanted_by,
    address="",
    contact_consent=False,
    submitted_by=None,
    limit_phone=True,
):
    """A resident's new wish; returns it with its tracking code.

    `limit_phone`: refuse once the number saved WISH_SUBMITS_PER_PHONE wishes
    in 24 hours (off for staff filing for residents).
    """
    if grid.kind not in (Grid.Kind.COMMUNITY, Grid.Kind.GRID):
        raise ValidationError({"grid": _("请选择社区或网格。")})
    now = timezone.now()
    if wanted_by <= timezone.localdate(now):
        raise ValidationError({"wanted_by": _("希望完成日期应晚于今天。")})
    if limit_phone:
        _check_phone_limit(phone, now)
    household = selectors.best_household(phone=phone, address=address, grid=grid)
    community = grid.community

    def create(code):
        wish = Wish(
            code=code,
            grid=grid,
            community=community,
            name=name,
            phone=phone,
            address=address,
            contact_consent=contact_consent,
            category=category,
            text=text,
            wanted_by=wanted_by,
            household=household,
            household_category=household.category if household else "",
            submitted_by=submitted_by if submitted_by and submitted_by.is_authenticated else None,
            submitted_at=now,
        )
        wish.full_clean(exclude=["code", "community"])
        wish.save()
        return wish

    wish = with_unique_code(create)
    record_event(wish, WishEvent.Kind.SUBMITTED, at=now, actor=wish.submitted_by)
    events.wish_submitted.send(sender=Wish, wish=wish)
    return wish


@transaction.atomic
def wish_follow(*, wish, name, phone, limit_phone=True):
    """Follow a shared open wish instead of filing one's own; returns the follower with a code."""
    if limit_phone:
        _check_phone_limit(phone, timezone.now())
    wish = Wish.objects.select_for_update().get(pk=wish.pk)
    if wish.status not in Wish.OPEN or not wish.is_shared:
        raise ValidationError(_("这个心愿已经不再接受关注，请提交您自己的心愿。"))
    if WishFollower.objects.filter(wish=wish, phone=phone).exists():
        raise ValidationError(_("这个手机号已经关注了该心愿，请使用当时得到的查询码。"))

    def create(code):
        follower = WishFollower(wish=wish, code=code, name=name, phone=phone)
        follower.full_clean(exclude=["code"])
        follower.save()
        return follower

    follower = with_unique_code(create)
    record_event(wish, WishEvent.Kind.FOLLOWED, at=timezone.now())
    return follower


@transaction.atomic
def wish_confirm(*, wish, claim, rating, comment=""):
    """The resident confirms one fulfilled claim and rates it; the claimant earns points once."""
    wish = Wish.objects.select_for_update().get(pk=wish.pk)
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.wish_id != wish.pk:
        raise PermissionDenied
    if claim.status == Claim.Status.CONFIRMED:
        raise ValidationError(_("您已经确认过这次服务了，谢谢！"))
    if claim.status == Claim.Status.CLOSED:
        raise ValidationError(_("这次服务已超过确认期限，系统已自动关闭。"))
    if claim.status != Claim.Status.FULFILLED:
        raise ValidationError(_("这次认领还没有标记完成，暂时不能确认。"))
    if rating not in range(1, 6):
        raise ValidationError({"rating": _("请给出 1 到 5 星的评分。")})
    now = timezone.now()
    claim.status = Claim.Status.CONFIRMED
    claim.confirmed_at = now
    claim.rating = rating
    claim.comment = comment
    claim.save(update_fields=["status", "confirmed_at", "rating", "comment"])
    claimant = claim.claimant
    # Idempotent by the ledger's unique (rule, subject, source): never twice.
    points_award(rule_code=POINTS_RULES[type(claimant)], subject=claimant, source=claim, occurred_at=now)
    event = record_event(
        wish,
        WishEvent.Kind.CONFIRMED,
        at=now,
        claim=claim,
        note=_("评分 %(rating)s 星") % {"rating": rating},
    )
    if wish.issue_reported_at is not None:
        # The resident who raised the problem now says it is done.
        wish.issue_reported_at = None
        wish.save(update_fields=["issue_reported_at"])
    settle(wish, now)
    events.claim_confirmed.send(sender=Wish, wish=wish, claim=claim, event=event)
    return claim


@transaction.atomic
def wish_report_not_done(*, wish, claim, reason):
    """The resident says a claim is not done, or something is wrong: back to the claimant and the community.

    A claim marked fulfilled goes back to "claimed" (and into the claimant's
    to-do, with the reason); the wish is flagged for community staff until
    they follow it up (wish_issue_settle) or the resident confirms.
    """
    wish = Wish.objects.select_for_update().get(pk=wish.pk)
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.wish_id != wish.pk:
        raise PermissionDenied
    if claim.status not in (Claim.Status.CLAIMED, Claim.Status.FULFILLED):
        raise ValidationError(_("这次认领已经确认、关闭或撤回，不能再反馈。如有问题请联系社区。"))
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请简单写一下还差什么或有什么问题。")})
    reason = reason[:200]
    now = timezone.now()
    if claim.status == Claim.Status.FULFILLED:
        claim.status = Claim.Status.CLAIMED
        claim.fulfilled_at = None
    claim.returned_at = now
    claim.return_reason = reason
    claim.save(update_fields=["status", "fulfilled_at", "returned_at", "return_reason"])
    wish.issue_reported_at = now
    wish.issue_note = reason
    wish.save(update_fields=["issue_reported_at", "issue_note"])
    event = record_event(wish, WishEvent.Kind.NOT_DONE, at=now, claim=claim, note=reason)
    settle(wish, now)
    events.wish_not_done.send(sender=Wish, wish=wish, claim=claim, event=event, reason=reason)
    return claim
