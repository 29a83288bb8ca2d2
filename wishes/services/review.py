"""Community staff: publishing with slots and priority, rejecting with a reason, closing, following up a resident's issue."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.access import staff_over
from wishes import events, selectors
from wishes.models import Wish, WishEvent
from wishes.services.common import REVIEW_PERMISSION, record_event


def _check_reviewer(user, wish):
    if not staff_over(user, wish.grid, REVIEW_PERMISSION):
        raise PermissionDenied(_("这个心愿不在您的管辖范围内。"))


_BEST = object()


@transaction.atomic
def wish_publish(*, wish, by, public_text, category, slots, priority, household=_BEST, is_shared=False):
    """Publish a submitted wish to the wall.

    `household` is the one the reviewer picked among the matches (None: none
    of them); left out, the unambiguous best match is taken, if any.
    """
    wish = Wish.objects.select_for_update(of=("self",)).select_related("grid").get(pk=wish.pk)
    _check_reviewer(by, wish)
    if wish.status != Wish.Status.SUBMITTED:
        raise ValidationError(
            _("这个心愿已经审核过了（%(status)s）。") % {"status": wish.get_status_display()}
        )
    if not 1 <= slots <= Wish.MAX_SLOTS:
        raise ValidationError({"slots": _("认领名额应在 1 到 %(max)s 之间。") % {"max": Wish.MAX_SLOTS}})
    now = timezone.now()
    if household is _BEST:
        household = selectors.best_household(phone=wish.phone, address=wish.address, grid=wish.grid)
    elif household is not None:
        candidates = selectors.household_matches(phone=wish.phone, address=wish.address, grid=wish.grid)
        if household.pk not in {h.pk for h in candidates}:
            raise ValidationError({"household": _("请在匹配到的住户中选择，或选“都不是”。")})
    wish.household = household
    wish.household_category = household.category if household else ""
    wish.public_text = public_text
    wish.category = category
    wish.slots = slots
    wish.priority = priority
    wish.is_shared = is_shared
    wish.status = Wish.Status.PUBLISHED
    wish.reviewed_at = now
    wish.reviewed_by = by
    wish.full_clean(exclude=["code", "community"])
    wish.save()
    event = record_event(wish, WishEvent.Kind.PUBLISHED, at=now, actor=by, note=str(wish.mode_label))
    events.wish_published.send(sender=Wish, wish=wish, event=event)
    return wish


@transaction.atomic
def wish_reject(*, wish, by, reason):
    wish = Wish.objects.select_for_update(of=("self",)).select_related("grid").get(pk=wish.pk)
    _check_reviewer(by, wish)
    if wish.status != Wish.Status.SUBMITTED:
        raise ValidationError(
            _("这个心愿已经审核过了（%(status)s）。") % {"status": wish.get_status_display()}
        )
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请写明未通过的原因，居民会看到它。")})
    now = timezone.now()
    wish.status = Wish.Status.REJECTED
    wish.reject_reason = reason[:200]
    wish.reviewed_at = now
    wish.reviewed_by = by
    wish.finished_at = now
    wish.save(update_fields=["status", "reject_reason", "reviewed_at", "reviewed_by", "finished_at"])
    event = record_event(wish, WishEvent.Kind.REJECTED, at=now, actor=by, note=wish.reject_reason)
    events.wish_rejected.send(sender=Wish, wish=wish, event=event)
    return wish


@transaction.atomic
def wish_close(*, wish, by, reason):
    """Staff close a published wish nobody has claimed (for example long overdue)."""
    wish = Wish.objects.select_for_update(of=("self",)).select_related("grid").get(pk=wish.pk)
    _check_reviewer(by, wish)
    if wish.status != Wish.Status.PUBLISHED or wish.claimed_count:
        raise ValidationError(_("只能关闭尚无人认领的心愿。"))
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请写明关闭的原因，居民会看到它。")})
    now = timezone.now()
    wish.status = Wish.Status.CLOSED
    wish.finished_at = now
    wish.save(update_fields=["status", "finished_at"])
    event = record_event(wish, WishEvent.Kind.CLOSED, at=now, actor=by, note=reason[:300])
    events.wish_closed.send(sender=Wish, wish=wish, event=event, automatic=False)
    return wish


@transaction.atomic
def wish_issue_settle(*, wish, by, note):
    """Staff followed up what the resident reported; the note shows on the tracking page."""
    wish = Wish.objects.select_for_update(of=("self",)).select_related("grid").get(pk=wish.pk)
    _check_reviewer(by, wish)
    if wish.issue_reported_at is None:
        raise ValidationError(_("这个心愿没有待跟进的居民反馈。"))
    note = (note or "").strip()
    if len(note) < 2:
        raise ValidationError({"reason": _("请写明跟进情况，居民会看到它。")})
    now = timezone.now()
    wish.issue_reported_at = None
    wish.save(update_fields=["issue_reported_at"])
    record_event(wish, WishEvent.Kind.SETTLED, at=now, actor=by, note=note[:300])
    return wish
