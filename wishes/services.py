"""Writes for micro-wishes.

Every change of state follows lock, re-check, change, record: the wish row
is locked with select_for_update, its status (and its claims) re-read and
checked, then changed, and a WishEvent written. Where a claimant row is
locked too (claiming), it is locked before the wish, and no path locks them
the other way round, so two transactions never wait on each other in a
circle.
"""

import datetime

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.models import MemberUnit
from grids.models import Grid
from points.services import points_award
from portal.access import staff_over
from portal.queue import enqueue_on_commit
from volunteers.models import Volunteer, VolunteerTeam
from wishes import selectors
from wishes.models import Claim, Wish, WishEvent, WishFollower, new_tracking_code

POINTS_RULES = {
    Volunteer: "wish_fulfilled_person",
    VolunteerTeam: "wish_fulfilled_team",
    MemberUnit: "wish_fulfilled_unit",
}
REVIEW_PERMISSION = "wishes.review_wish"


def _record(wish, kind, *, at, actor=None, claim=None, note=""):
    event = WishEvent.objects.create(wish=wish, claim=claim, kind=kind, actor=actor, note=note[:300], at=at)
    transaction.on_commit(lambda: _bump_track_versions({wish.pk: event.pk}))
    if kind in _RESIDENT_SMS:
        enqueue_on_commit("wishes.tasks.notify_resident", event.pk)
    return event


# The tracking page caches a wish's claims and timeline under the id of its
# latest event; every new event moves the version on, so nothing stale shows.
# Versions are kept per tracking code (the wish's and its followers'), so a
# tracking page finds its version in the same round trip as everything else.
TRACK_VERSION_SECONDS = 30 * 24 * 60 * 60


def track_version_key(code):
    return f"wishes:track-version:{code}"


def _tracking_codes(wish_pks):
    """{code: wish pk} for the wishes and everyone following them."""
    codes = dict(Wish.objects.filter(pk__in=wish_pks).values_list("code", "pk"))
    codes.update(WishFollower.objects.filter(wish_id__in=wish_pks).values_list("code", "wish_id"))
    return codes


def _bump_track_versions(latest_event_by_wish):
    codes = _tracking_codes(list(latest_event_by_wish))
    cache.set_many(
        {track_version_key(code): latest_event_by_wish[pk] for code, pk in codes.items()},
        TRACK_VERSION_SECONDS,
    )


# Events a resident hears about by SMS (through the logging sender for now).
_RESIDENT_SMS = {WishEvent.Kind.PUBLISHED, WishEvent.Kind.REJECTED, WishEvent.Kind.FULFILLED}


def _with_unique_code(create):
    """Run `create(code)` with fresh codes until one is free (a clash is a 2**-60 event)."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return create(new_tracking_code())
        except IntegrityError:
            continue
    raise RuntimeError("could not find a free tracking code")


# --- the resident ------------------------------------------------------------------------


@transaction.atomic
def wish_submit(*, name, phone, grid, category, text, wanted_by, address="", submitted_by=None):
    """A resident's new wish; returns it with its tracking code."""
    if grid.kind not in (Grid.Kind.COMMUNITY, Grid.Kind.GRID):
        raise ValidationError({"grid": _("请选择社区或网格。")})
    now = timezone.now()
    if wanted_by <= timezone.localdate(now):
        raise ValidationError({"wanted_by": _("希望完成日期应晚于今天。")})
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

    wish = _with_unique_code(create)
    _record(wish, WishEvent.Kind.SUBMITTED, at=now, actor=wish.submitted_by)
    return wish


@transaction.atomic
def wish_follow(*, wish, name, phone):
    """Follow a similar open wish instead of filing a second one; returns the follower with a code."""
    wish = Wish.objects.select_for_update().get(pk=wish.pk)
    if wish.status not in Wish.IN_PROGRESS:
        raise ValidationError(_("这个心愿已经不再接受关注，请提交您自己的心愿。"))
    if WishFollower.objects.filter(wish=wish, phone=phone).exists():
        raise ValidationError(_("这个手机号已经关注了该心愿，请使用当时得到的查询码。"))

    def create(code):
        follower = WishFollower(wish=wish, code=code, name=name, phone=phone)
        follower.full_clean(exclude=["code"])
        follower.save()
        return follower

    follower = _with_unique_code(create)
    _record(wish, WishEvent.Kind.FOLLOWED, at=timezone.now())
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
    _record(
        wish,
        WishEvent.Kind.CONFIRMED,
        at=now,
        claim=claim,
        note=_("评分 %(rating)s 星") % {"rating": rating},
    )
    _settle(wish, now)
    enqueue_on_commit("wishes.tasks.notify_claimant_confirmed", claim.pk)
    return claim


# --- community staff ------------------------------------------------------------------------


def _check_reviewer(user, wish):
    if not staff_over(user, wish.grid, REVIEW_PERMISSION):
        raise PermissionDenied(_("这个心愿不在您的管辖范围内。"))


@transaction.atomic
def wish_publish(*, wish, by, public_text, category, slots, priority):
    wish = Wish.objects.select_for_update(of=("self",)).select_related("grid").get(pk=wish.pk)
    _check_reviewer(by, wish)
    if wish.status != Wish.Status.SUBMITTED:
        raise ValidationError(
            _("这个心愿已经审核过了（%(status)s）。") % {"status": wish.get_status_display()}
        )
    if not 1 <= slots <= Wish.MAX_SLOTS:
        raise ValidationError({"slots": _("认领名额应在 1 到 %(max)s 之间。") % {"max": Wish.MAX_SLOTS}})
    now = timezone.now()
    household = selectors.best_household(phone=wish.phone, address=wish.address, grid=wish.grid)
    wish.household = household
    wish.household_category = household.category if household else ""
    wish.public_text = public_text
    wish.category = category
    wish.slots = slots
    wish.priority = priority
    wish.status = Wish.Status.PUBLISHED
    wish.reviewed_at = now
    wish.reviewed_by = by
    wish.full_clean(exclude=["code", "community"])
    wish.save()
    _record(wish, WishEvent.Kind.PUBLISHED, at=now, actor=by, note=str(wish.mode_label))
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
    _record(wish, WishEvent.Kind.REJECTED, at=now, actor=by, note=wish.reject_reason)
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
    _record(wish, WishEvent.Kind.CLOSED, at=now, actor=by, note=reason[:300])
    return wish


# --- volunteers, teams and units --------------------------------------------------------------


def can_act_for(user, claimant):
    """Whether `user` may claim for `claimant`: themself, a team they lead, a unit they liaise for."""
    if not user.is_authenticated:
        return False
    if isinstance(claimant, Volunteer):
        return claimant.user_id == user.pk
    if isinstance(claimant, VolunteerTeam):
        return claimant.leader_id is not None and claimant.leader.user_id == user.pk
    if isinstance(claimant, MemberUnit):
        return claimant.liaisons.filter(pk=user.pk).exists()
    return False


@transaction.atomic
def wish_claim(*, wish, user, claimant):
    """Claim one slot of an open wish for `claimant`.

    Never more live claims than slots, whatever the concurrency: the wish row
    is locked, and the claims are counted inside the same transaction, so
    concurrent claimants queue on the lock and each sees the last one's
    claim. The partial unique indexes on (wish, slot_no) and (wish, claimant)
    are the backstop should a path ever skip the lock.
    """
    if not can_act_for(user, claimant):
        raise PermissionDenied(_("您不能代表该志愿者、服务队或单位认领。"))
    field = selectors.claimant_field(claimant)
    # The claimant first (its open-claim limit), then the wish: the fixed order.
    type(claimant).objects.select_for_update().filter(pk=claimant.pk).first()
    wish = Wish.objects.select_for_update().get(pk=wish.pk)
    if wish.status not in Wish.OPEN:
        if wish.status == Wish.Status.CLAIMED:
            raise ValidationError(_("来晚了一步：这个心愿的名额已经认领满了。"))
        raise ValidationError(
            _("这个心愿现在不能认领（%(status)s）。") % {"status": wish.get_status_display()}
        )
    live = list(wish.claims.filter(status__in=Claim.LIVE).values_list("slot_no", f"{field}_id"))
    if any(holder == claimant.pk for _slot, holder in live):
        raise ValidationError(_("%(claimant)s 已经认领了这个心愿。") % {"claimant": claimant})
    if len(live) >= wish.slots:
        raise ValidationError(_("来晚了一步：这个心愿的名额已经认领满了。"))
    open_claims = Claim.objects.filter(**{field: claimant}, status=Claim.Status.CLAIMED).count()
    if open_claims >= settings.WISH_MAX_OPEN_CLAIMS:
        raise ValidationError(
            _("%(claimant)s 已有 %(n)s 个认领尚未完成，请先完成或撤回后再认领新的心愿。")
            % {"claimant": claimant, "n": open_claims}
        )
    taken = {slot for slot, _holder in live}
    slot_no = min(n for n in range(1, wish.slots + 1) if n not in taken)
    now = timezone.now()
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                wish=wish, slot_no=slot_no, claimed_by=user, claimed_at=now, **{field: claimant}
            )
    except IntegrityError:
        # Only reachable if some path wrote a claim without the lock: the
        # constraint held, and the person gets the same answer as a full wish.
        raise ValidationError(_("来晚了一步：这个心愿的名额已经认领满了。")) from None
    _record(wish, WishEvent.Kind.CLAIMED, at=now, actor=user, claim=claim, note=public_claimant_label(claim))
    _settle(wish, now)
    return claim


@transaction.atomic
def claim_withdraw(*, claim, user):
    """Give the slot back, before fulfilment."""
    wish = Wish.objects.select_for_update().get(pk=claim.wish_id)
    claim = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("volunteer", "team__leader", "unit")
        .get(pk=claim.pk)
    )
    if not can_act_for(user, claim.claimant):
        raise PermissionDenied(_("只有认领方本人可以撤回认领。"))
    if claim.status != Claim.Status.CLAIMED:
        raise ValidationError(_("已完成或已撤回的认领不能再撤回。"))
    now = timezone.now()
    claim.status = Claim.Status.WITHDRAWN
    claim.withdrawn_at = now
    claim.save(update_fields=["status", "withdrawn_at"])
    _record(wish, WishEvent.Kind.WITHDRAWN, at=now, actor=user, claim=claim)
    _settle(wish, now)
    return claim


@transaction.atomic
def claim_fulfil(*, claim, user, note, photo=None):
    """The claimant marks the claim fulfilled, with a note and an optional (checked) photo."""
    wish = Wish.objects.select_for_update().get(pk=claim.wish_id)
    claim = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("volunteer", "team__leader", "unit")
        .get(pk=claim.pk)
    )
    if not can_act_for(user, claim.claimant):
        raise PermissionDenied(_("只有认领方本人可以标记完成。"))
    if claim.status != Claim.Status.CLAIMED:
        raise ValidationError(_("这次认领已经标记过完成或已撤回。"))
    note = (note or "").strip()
    if len(note) < 2:
        raise ValidationError({"note": _("请简单写一下完成情况。")})
    now = timezone.now()
    claim.status = Claim.Status.FULFILLED
    claim.fulfilled_at = now
    claim.fulfilment_note = note[:1000]
    if photo is not None:
        claim.photo.save(photo.name, photo, save=False)
    claim.save(update_fields=["status", "fulfilled_at", "fulfilment_note", "photo"])
    _record(
        wish, WishEvent.Kind.FULFILLED, at=now, actor=user, claim=claim, note=public_claimant_label(claim)
    )
    _settle(wish, now)
    return claim


def public_claimant_label(claim):
    """A claimant as the resident and the public see them: a person's name masked."""
    from portal.privacy import mask_name

    if claim.volunteer_id:
        return _("志愿者 %(name)s") % {"name": mask_name(claim.volunteer.name)}
    return str(claim.claimant)


def _settle(wish, now):
    """Bring the wish's status and claim count in line with its claims (the wish is locked)."""
    counts = wish.claims.aggregate(
        live=Count("pk", filter=Q(status__in=Claim.LIVE)),
        working=Count("pk", filter=Q(status=Claim.Status.CLAIMED)),
        fulfilled=Count("pk", filter=Q(status=Claim.Status.FULFILLED)),
        confirmed=Count("pk", filter=Q(status=Claim.Status.CONFIRMED)),
    )
    wish.claimed_count = counts["live"]
    if counts["working"]:
        status = Wish.Status.CLAIMED if counts["live"] >= wish.slots else Wish.Status.PARTLY_CLAIMED
    elif counts["fulfilled"]:
        # Every claimant has done their part: a many-to-one wish takes "up to"
        # N claimants, so it now waits for the resident instead of more claims.
        status = Wish.Status.FULFILLED
    elif counts["confirmed"]:
        status = Wish.Status.CONFIRMED
    else:
        status = Wish.Status.PUBLISHED
    if status == Wish.Status.FULFILLED and wish.status != Wish.Status.FULFILLED:
        wish.fulfilled_at = now
    if status == Wish.Status.CONFIRMED:
        wish.finished_at = now
    wish.status = status
    wish.save(update_fields=["claimed_count", "status", "fulfilled_at", "finished_at"])


# --- daily jobs ---------------------------------------------------------------------------------


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
    events = WishEvent.objects.bulk_create(
        [WishEvent(wish_id=pk, kind=WishEvent.Kind.OVERDUE, at=now) for pk in ids], batch_size=1000
    )
    transaction.on_commit(lambda: _bump_track_versions({e.wish_id: e.pk for e in events}))
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
    _record(
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
    return True
