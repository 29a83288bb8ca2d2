"""Volunteers, teams and units: claiming within the slots under any concurrency, withdrawing, fulfilling with a photo."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.models import MemberUnit
from volunteers.models import Volunteer, VolunteerTeam
from wishes import events, selectors
from wishes.models import Claim, Wish, WishEvent
from wishes.services.common import record_event


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
    event = record_event(
        wish, WishEvent.Kind.CLAIMED, at=now, actor=user, claim=claim, note=public_claimant_label(claim)
    )
    settle(wish, now)
    events.wish_claimed.send(sender=Wish, wish=wish, claim=claim, event=event)
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
    event = record_event(wish, WishEvent.Kind.WITHDRAWN, at=now, actor=user, claim=claim)
    settle(wish, now)
    events.claim_withdrawn.send(sender=Wish, wish=wish, claim=claim, event=event)
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
    event = record_event(
        wish, WishEvent.Kind.FULFILLED, at=now, actor=user, claim=claim, note=public_claimant_label(claim)
    )
    settle(wish, now)
    events.claim_fulfilled.send(sender=Wish, wish=wish, claim=claim, event=event)
    return claim


def public_claimant_label(claim):
    """A claimant as the resident and the public see them: a person's name masked."""
    from portal.privacy import mask_name

    if claim.volunteer_id:
        return _("志愿者 %(name)s") % {"name": mask_name(claim.volunteer.name)}
    return str(claim.claimant)


def settle(wish, now):
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
