"""Units offer to take a need (单位认领需求); staff confirm the offer into a project, or decline it.

The offer is the liaison's half of matching: staff over the need's community
still decide, and a confirmed offer becomes a project exactly as staff's own
matching does (`_project_from_match`).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from alliances import access, events
from alliances.models import Need, NeedOffer, Resource
from alliances.services.lists import offer_decide
from alliances.services.projects import _project_from_match, alliance_for_match
from portal.access import require, staff_over


def _open_need(need):
    need = Need.objects.select_for_update(of=("self",)).select_related("community__parent").get(pk=need.pk)
    if need.status != Need.Status.OPEN:
        raise ValidationError(
            _("该需求当前为“%(status)s”，只有待匹配的需求可以认领。") % {"status": need.get_status_display()}
        )
    return need


@transaction.atomic
def need_offer(*, need, unit, actor, resource=None, note=""):
    """A unit's liaison offers the unit for an open need of one of its alliances."""
    if not access.is_liaison_of(actor, unit):
        raise PermissionDenied(_("只能以本单位的名义认领需求。"))
    need = _open_need(need)
    if alliance_for_match(need, unit) is None:
        raise PermissionDenied(_("本单位不是该社区或街道联盟的现任成员单位。"))
    if resource is not None:
        resource = Resource.objects.filter(pk=resource.pk).first()
        if resource is None or resource.unit_id != unit.pk:
            raise ValidationError({"resource": _("只能选择本单位的资源。")})
        if not resource.is_active:
            raise ValidationError({"resource": _("该资源已撤回，不能用于认领。")})
    if NeedOffer.objects.filter(need=need, unit=unit, status=NeedOffer.Status.PENDING).exists():
        raise ValidationError(_("本单位已经认领过这个需求，正在等待街道或社区确认。"))
    try:
        with transaction.atomic():  # two liaisons of one unit at once: the constraint keeps one
            offer = NeedOffer.objects.create(
                need=need, unit=unit, resource=resource, note=(note or "").strip()[:500], offered_by=actor
            )
    except IntegrityError:
        raise ValidationError(_("本单位已经认领过这个需求，正在等待街道或社区确认。")) from None
    events.need_offered.send(sender=NeedOffer, offer=offer)
    return offer


def _waiting_offer(offer, actor):
    """Lock the offer's need, then the offer (the order staff matching locks them in), and check."""
    need = (
        Need.objects.select_for_update(of=("self",))
        .select_related("community__parent")
        .get(pk=NeedOffer.objects.values_list("need_id", flat=True).get(pk=offer.pk))
    )
    require(staff_over(actor, need.community, "alliances.add_project"))
    offer = (
        NeedOffer.objects.select_for_update(of=("self",)).select_related("unit", "resource").get(pk=offer.pk)
    )
    if offer.status != NeedOffer.Status.PENDING:
        raise ValidationError(
            _("这条认领已经%(status)s，不能再处理。") % {"status": offer.get_status_display()}
        )
    offer.need = need
    return offer


@transaction.atomic
def need_offer_confirm(*, offer, actor, title="", start_on=None, end_on=None, budget=0):
    """Staff accept a unit's offer: the project is set up as by staff matching, led by the unit."""
    offer = _waiting_offer(offer, actor)
    if offer.need.status != Need.Status.OPEN:
        raise ValidationError(
            _("该需求当前为“%(status)s”，只有待匹配的需求可以立项。")
            % {"status": offer.need.get_status_display()}
        )
    resource = offer.resource if offer.resource_id and offer.resource.is_active else None
    project = _project_from_match(
        need=offer.need,
        unit=offer.unit,
        resource=resource,
        actor=actor,
        title=title,
        start_on=start_on,
        end_on=end_on,
        budget=budget,
        partner_units=(),
        description=offer.note,
        offer=offer,
    )
    offer_decide(offer, NeedOffer.Status.CONFIRMED, actor, project=project)
    return project


@transaction.atomic
def need_offer_decline(*, offer, actor, reason):
    """Staff turn a unit's offer down, with a reason the unit's liaisons are told."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明未采纳的原因。")})
    offer = _waiting_offer(offer, actor)
    offer_decide(offer, NeedOffer.Status.DECLINED, actor, reason)
    return offer
