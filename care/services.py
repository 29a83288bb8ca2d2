"""Writes for pairings (start, change, end, the partner's contacts as household visits) and posts (认岗)."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from care.models import Pairing, Post, PostClaim, PostService
from grids.models import Household, Visit
from grids.services import visit_record
from points.services import points_award
from portal.access import require, staff_over
from portal.scoping import NOTHING, scope_of
from volunteers.services.people import volunteer_identity_consent


def _partner_of(*, partner_kind, volunteer, partner):
    """The login a pairing names, checked against the partner's kind."""
    if partner_kind == Pairing.PartnerKind.CADRE:
        if partner is None:
            raise ValidationError({"partner": _("干部结对请选择其工作账号。")})
        if scope_of(partner) is NOTHING:
            raise ValidationError({"partner": _("干部结对人必须是有管辖范围的工作人员账号。")})
        return partner, None
    if volunteer is None:
        raise ValidationError({"volunteer": _("党员或志愿者结对请选择其志愿者档案。")})
    if partner_kind == Pairing.PartnerKind.PARTY_MEMBER and not volunteer.is_party_member:
        raise ValidationError(
            {"volunteer": _("%(name)s 不是党员，请选择“志愿者”身份。") % {"name": volunteer.name}}
        )
    if volunteer.user_id is None:
        raise ValidationError(
            {"volunteer": _("%(name)s 还没有登录账号，开通账号后才能结对。") % {"name": volunteer.name}}
        )
    return volunteer.user, volunteer


def _check_dates(start_date, end_date):
    if end_date is not None and end_date < start_date:
        raise ValidationError({"end_date": _("结束日期不能早于开始日期。")})


def pairing_check(
    *, actor, household, partner_kind, volunteer=None, partner=None, start_date=None, end_date=None
):
    """Whether this pairing may start; returns (partner login, volunteer record) or raises ValidationError.

    The admin form calls it to show each problem beside its field; pairing_create
    calls it again under the household's lock.
    """
    if household is None:
        raise ValidationError({"household": _("请选择住户。")})
    if not staff_over(actor, household.grid):
        raise ValidationError({"household": _("这户不在您的管辖范围内。")})
    if household.category not in Household.VULNERABLE:
        raise ValidationError({"household": _("只有困难户（一般户以外的彩虹分类）才结对帮扶。")})
    if partner_kind not in Pairing.PartnerKind.values:
        raise ValidationError({"partner_kind": _("请选择结对人身份。")})
    partner, volunteer = _partner_of(partner_kind=partner_kind, volunteer=volunteer, partner=partner)
    if volunteer is not None and not staff_over(actor, volunteer.community):
        raise ValidationError({"volunteer": _("这名志愿者不在您的管辖范围内。")})
    _check_dates(start_date or timezone.localdate(), end_date)
    if Pairing.objects.filter(household=household, partner=partner, end_date__isnull=True).exists():
        raise ValidationError(_("这位结对人已经与这户结对。"))
    return partner, volunteer


@transaction.atomic
def pairing_create(
    *, actor, household, partner_kind, volunteer=None, partner=None, start_date=None, end_date=None, note=""
):
    """Pair a vulnerable household with a partner; staff over the household's grid only."""
    # The household row is locked: a second pairing of the same partner waits here, then sees the first.
    household = Household.objects.select_for_update().select_related("grid").get(pk=household.pk)
    partner, volunteer = pairing_check(
        actor=actor,
        household=household,
        partner_kind=partner_kind,
        volunteer=volunteer,
        partner=partner,
        start_date=start_date,
        end_date=end_date,
    )
    pairing = Pairing(
        household=household,
        grid=household.grid,
        partner_kind=partner_kind,
        partner=partner,
        volunteer=volunteer,
        start_date=start_date or timezone.localdate(),
        end_date=end_date,
        note=note,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            pairing.save()
    except IntegrityError:
        raise ValidationError(_("这位结对人已经与这户结对。")) from None
    return pairing


def _locked(pairing, actor):
    pairing = Pairing.objects.select_for_update().select_related("grid").get(pk=pairing.pk)
    require(staff_over(actor, pairing.grid), _("这条结对不在您的管辖范围内。"))
    return pairing


@transaction.atomic
def pairing_update(*, actor, pairing, start_date, end_date=None, note=""):
    """Change a pairing's dates and note; who is paired with whom stays (end it and start another)."""
    pairing = _locked(pairing, actor)
    _check_dates(start_date, end_date)
    if end_date is None and pairing.end_date is not None:
        clash = Pairing.objects.filter(
            household_id=pairing.household_id, partner_id=pairing.partner_id, end_date__isnull=True
        ).exclude(pk=pairing.pk)
        if clash.exists():
            raise ValidationError(_("这位结对人已经与这户结对。"))
    pairing.start_date, pairing.end_date, pairing.note = start_date, end_date, note
    pairing.save(update_fields=["start_date", "end_date", "note"])
    return pairing


@transaction.atomic
def pairing_end(*, actor, pairing, end_date=None):
    """End a pairing on `end_date` (today by default)."""
    pairing = _locked(pairing, actor)
    if pairing.end_date is not None:
        raise ValidationError(_("这条结对已经结束。"))
    end_date = end_date or timezone.localdate()
    _check_dates(pairing.start_date, end_date)
    pairing.end_date = end_date
    pairing.save(update_fields=["end_date"])
    return pairing


@transaction.atomic
def pairing_contact_log(*, partner, pairing, method, findings="", follow_up_needed=False):
    """The partner's contact with their household, written as a household visit.

    A contact is a grids.Visit by the partner: the one record the overdue rule,
    the household's page and the grid's counts read. The pairing, current and
    naming this partner, is what allows it (the partner has no grid scope).
    """
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if pairing.partner_id != partner.pk:
        raise PermissionDenied(_("这户不是您的结对户。"))
    if not pairing.is_current():
        raise ValidationError(_("这条结对已经结束，不能再记录联系。"))
    if method not in Visit.Method.values:
        raise ValidationError({"method": _("请选择联系方式。")})
    return visit_record(
        visitor=partner,
        household=pairing.household,
        method=method,
        findings=(findings or "").strip() or _("结对联系"),
        follow_up_needed=follow_up_needed,
    )


# --- posts (认岗) ------------------------------------------------------------------------------

POST_RULE = "post_service_hour"
MAX_SERVICE_HOURS = Decimal("12")


def _lock_post(post):
    return Post.objects.select_for_update().select_related("community").get(pk=post.pk)


@transaction.atomic
def post_claim(*, post, volunteer, now=None):
    """A party member claims a post (认岗), holding one of its places.

    Capacity holds under any concurrency: the post row is locked, the active
    claims are counted under that lock, and the counter written back is
    checked by the database (claimed_count <= capacity) as a backstop.
    """
    now = now or timezone.now()
    post = _lock_post(post)
    if not volunteer.is_party_member:
        raise ValidationError(
            _("认岗面向党员。您的志愿者档案没有登记为党员：请到%(community)s党组织登记（在职党员先双报到）。")
            % {"community": volunteer.community.name}
        )
    if volunteer.community.tree_id != post.community.tree_id:
        raise PermissionDenied(_("只能认领本街道的岗位。"))
    if not post.is_open:
        raise ValidationError(_("这个岗位已停止认领。"))
    if PostClaim.objects.filter(post=post, volunteer=volunteer, left_at__isnull=True).exists():
        raise ValidationError(_("您已认领这个岗位。"))
    taken = PostClaim.objects.filter(post=post, left_at__isnull=True).count()
    if taken >= post.capacity:
        raise ValidationError(_("名额已满。"))
    claim = PostClaim.objects.create(post=post, volunteer=volunteer, community=post.community, claimed_at=now)
    Post.objects.filter(pk=post.pk).update(claimed_count=taken + 1)
    return claim


@transaction.atomic
def post_leave(*, claim, volunteer, now=None):
    """The party member steps down from a post; their recorded service stays."""
    post = _lock_post(claim.post)
    claim = PostClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.volunteer_id != volunteer.pk:
        raise PermissionDenied(_("这不是您认领的岗位。"))
    if claim.left_at is not None:
        raise ValidationError(_("您已卸任这个岗位。"))
    claim.left_at = now or timezone.now()
    claim.save(update_fields=["left_at"])
    Post.objects.filter(pk=post.pk).update(
        claimed_count=PostClaim.objects.filter(post=post, left_at__isnull=True).count()
    )
    return claim


@transaction.atomic
def post_service_record(*, claim, volunteer, served_on, hours, content, now=None):
    """The party member records a stint of service on a post they hold; staff verify it."""
    now = now or timezone.now()
    claim = PostClaim.objects.select_for_update().select_related("post").get(pk=claim.pk)
    if claim.volunteer_id != volunteer.pk:
        raise PermissionDenied(_("这不是您认领的岗位。"))
    if claim.left_at is not None:
        raise ValidationError(_("您已卸任这个岗位，不能再填报服务。"))
    errors = {}
    if served_on > timezone.localdate(now):
        errors["served_on"] = _("服务日期不能晚于今天。")
    elif served_on < timezone.localdate(claim.claimed_at):
        errors["served_on"] = _("服务日期不能早于认岗的日期（%(date)s）。") % {
            "date": timezone.localdate(claim.claimed_at).isoformat()
        }
    if hours is None or hours <= 0 or hours > MAX_SERVICE_HOURS:
        errors["hours"] = _("服务时长应在 0.5 到 %(max)s 小时之间。") % {"max": MAX_SERVICE_HOURS}
    content = (content or "").strip()
    if not content:
        errors["content"] = _("请写一句服务内容。")
    if errors:
        raise ValidationError(errors)
    # The claim is locked: two presses of the button (or two tabs) are counted one after the other.
    same_day = PostService.objects.filter(claim=claim, served_on=served_on)
    if same_day.filter(content=content, hours=hours).exists():
        raise ValidationError(_("这条服务已经填报过了。"))
    recorded = sum((s.hours for s in same_day), Decimal("0"))
    if recorded + hours > MAX_SERVICE_HOURS:
        raise ValidationError(
            {
                "hours": _("这一天已经填报了 %(done)s 小时，一天最多 %(max)s 小时。")
                % {"done": recorded.normalize(), "max": MAX_SERVICE_HOURS}
            }
        )
    return PostService.objects.create(
        claim=claim,
        community=claim.community,
        served_on=served_on,
        hours=hours,
        content=content,
        recorded_at=now,
    )


@transaction.atomic
def post_service_verify(*, service, actor, now=None):
    """Staff over the community confirm a stint of service: its hours earn points through the ledger."""
    now = now or timezone.now()
    service = PostService.objects.select_for_update().select_related("claim__volunteer").get(pk=service.pk)
    require(staff_over(actor, service.community), _("这条服务记录不在您的管辖范围内。"))
    if service.verified_at is not None:
        raise ValidationError(_("这条服务记录已经核验。"))
    service.verified_by, service.verified_at = actor, now
    service.save(update_fields=["verified_by", "verified_at"])
    points_award(
        rule_code=POST_RULE,
        subject=service.claim.volunteer,
        source=service,
        occurred_at=now,
        quantity=service.hours,
        note=service.claim.post.title,
    )
    return service


def identity_consent(*, volunteer, shows):
    """亮身份: a party member agrees (or no longer agrees) to be named on building boards."""
    return volunteer_identity_consent(volunteer=volunteer, shows=shows)


@transaction.atomic
def post_save(*, post, actor):
    """Publish or change a post; staff over its community only."""
    if post.community_id is None:
        raise ValidationError({"community": _("请选择社区。")})
    require(staff_over(actor, post.community), _("这个社区不在您的管辖范围内。"))
    if post.building_id and post.building.grid.parent_id != post.community_id:
        raise ValidationError({"building": _("这栋楼不在所选社区。")})
    if post.pk:
        locked = _lock_post(post)
        taken = PostClaim.objects.filter(post=locked, left_at__isnull=True).count()
        if post.capacity is not None and post.capacity < taken:
            raise ValidationError({"capacity": _("名额不能少于已认领的 %(n)s 人。") % {"n": taken}})
        post.claimed_count = taken
    else:
        post.created_by = actor
    post.full_clean()
    post.save()
    return post
