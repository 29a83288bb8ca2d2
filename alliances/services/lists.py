"""Two of the three lists: each unit's resources (资源清单) and each community's needs (需求清单)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances import access, events
from alliances.models import (
    Need,
    NeedOffer,
    NeedStatusChange,
    Project,
    Resource,
)
from portal.access import require, staff_over

RESOURCE_FIELDS = (
    "kind",
    "title",
    "description",
    "quantity",
    "quantity_unit",
    "community",
    "available_from",
    "available_until",
)


@transaction.atomic
def resource_save(*, actor, unit, resource=None, **data):
    """Add a resource to a unit's list, or change one; only the unit's liaison or staff over it."""
    require(access.can_edit_unit_lists(actor, unit), _("只能编辑本单位的资源清单。"))
    if resource is None:
        resource = Resource(unit=unit)
    else:
        resource = Resource.objects.select_for_update(of=("self",)).get(pk=resource.pk)
        if resource.unit_id != unit.pk:
            raise PermissionDenied(_("只能编辑本单位的资源清单。"))
    for name in RESOURCE_FIELDS:
        if name in data:
            setattr(resource, name, data[name])
    resource.full_clean()
    resource.save()
    return resource


@transaction.atomic
def resource_set_active(*, actor, resource, active):
    """Withdraw a resource from matching, or offer it again."""
    resource = (
        Resource.objects.select_for_update(of=("self",)).select_related("unit__grid").get(pk=resource.pk)
    )
    require(access.can_edit_unit_lists(actor, resource.unit), _("只能编辑本单位的资源清单。"))
    if resource.is_active != active:
        resource.is_active = active
        resource.save(update_fields=["is_active", "updated_at"])
    return resource


def _need_record(need, from_status, actor, note="", at=None):
    NeedStatusChange.objects.create(
        need=need,
        from_status=from_status,
        to_status=need.status,
        changed_at=at or timezone.now(),
        changed_by=actor,
        note=note[:200],
    )


@transaction.atomic
def need_create(*, need, actor, note):
    """Register a need built by the admin's form or an import row, with its first status row."""
    require(staff_over(actor, need.community, "alliances.add_need"))
    need.raised_by = actor
    need.full_clean()
    need.save()
    _need_record(need, "", actor, note)
    return need


def _need_transition(need, to_status, actor, note="", at=None):
    """Change a locked need's status and write its history row."""
    allowed = {
        Need.Status.OPEN: {Need.Status.MATCHED, Need.Status.CLOSED},
        Need.Status.MATCHED: {Need.Status.OPEN, Need.Status.CLOSED},
        Need.Status.CLOSED: {Need.Status.OPEN},
    }
    if to_status not in allowed[need.status]:
        raise ValidationError(
            _("需求当前为“%(now)s”，不能改为“%(to)s”。")
            % {"now": need.get_status_display(), "to": Need.Status(to_status).label}
        )
    at = at or timezone.now()
    previous = need.status
    need.status = to_status
    if to_status == Need.Status.MATCHED:
        need.matched_at = at
    if to_status == Need.Status.CLOSED:
        need.closed_at, need.close_reason = at, note[:200]
    if to_status == Need.Status.OPEN:
        need.closed_at, need.close_reason = None, ""
    need.save(update_fields=["status", "matched_at", "closed_at", "close_reason"])
    _need_record(need, previous, actor, note, at)
    return need


@transaction.atomic
def need_close(*, need, actor, reason):
    need = Need.objects.select_for_update(of=("self",)).select_related("community").get(pk=need.pk)
    require(staff_over(actor, need.community, "alliances.change_need"))
    if not (reason or "").strip():
        raise ValidationError(_("请写明关闭原因。"))
    if need.projects.filter(status__in=Project.ACTIVE).exists():
        raise ValidationError(_("这个需求还有进行中的项目，请先完成或取消项目。"))
    need = _need_transition(need, Need.Status.CLOSED, actor, reason.strip())
    decline_waiting_offers(need, actor, _("需求已关闭：%(reason)s") % {"reason": reason.strip()})
    return need


def decline_waiting_offers(need, actor, reason, exclude=None):
    """Decline the units' offers still waiting on a need that was matched or closed otherwise."""
    waiting = NeedOffer.objects.select_for_update(of=("self",)).filter(
        need=need, status=NeedOffer.Status.PENDING
    )
    if exclude is not None:
        waiting = waiting.exclude(pk=exclude.pk)
    for offer in waiting.order_by("pk"):
        offer_decide(offer, NeedOffer.Status.DECLINED, actor, reason)


def offer_decide(offer, status, actor, reason="", project=None):
    """Record staff's decision on a locked, waiting offer; a declined unit is told why."""
    offer.status = status
    offer.decided_by, offer.decided_at = actor, timezone.now()
    offer.decline_reason = reason[:200] if status == NeedOffer.Status.DECLINED else ""
    offer.project = project
    offer.save(update_fields=["status", "decided_by", "decided_at", "decline_reason", "project"])
    if status == NeedOffer.Status.DECLINED:
        events.need_offer_declined.send(sender=NeedOffer, offer=offer)
