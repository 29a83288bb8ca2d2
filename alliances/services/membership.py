"""Members of an alliance: joining, leaving, signing the covenant (联盟公约), and the units' liaisons."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances import access
from alliances.models import (
    Membership,
    MemberUnit,
)
from alliances.services.chair import chair_schedule_repair
from portal.access import require, staff_over


@transaction.atomic
def membership_join(*, alliance, unit, joined_on=None, covenant_signed_on=None):
    """Add a unit to an alliance, or bring back one that had left."""
    joined_on = joined_on or timezone.localdate()
    membership = (
        Membership.objects.select_for_update(of=("self",)).filter(alliance=alliance, unit=unit).first()
    )
    if membership is not None and membership.left_on is None:
        raise ValidationError(_("“%(unit)s”已经是该联盟的成员。") % {"unit": unit})
    if membership is None:
        membership = Membership(alliance=alliance, unit=unit)
    # A returning unit keeps one row: its new joining date replaces the old one.
    membership.joined_on = joined_on
    membership.left_on = None
    membership.covenant_signed_on = covenant_signed_on or membership.covenant_signed_on
    membership.full_clean(validate_unique=False)
    membership.save()
    return membership


@transaction.atomic
def membership_leave(*, membership, left_on=None, today=None):
    """Record that a unit left; its chair months from then on are given to others."""
    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("alliance").get(pk=membership.pk)
    )
    if membership.left_on is not None:
        raise ValidationError(_("该单位已于 %(day)s 退出联盟。") % {"day": membership.left_on})
    membership.left_on = left_on or timezone.localdate()
    membership.full_clean(validate_unique=False)
    membership.save(update_fields=["left_on"])
    chair_schedule_repair(alliance=membership.alliance, today=today)
    return membership


@transaction.atomic
def membership_sign_covenant(*, membership, actor, signed_on=None):
    """Record the unit's signing of the alliance covenant (联盟公约)."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("alliance", "unit__grid")
        .get(pk=membership.pk)
    )
    require(
        access.is_liaison_of(actor, membership.unit)
        or staff_over(actor, membership.alliance.grid, "alliances.change_membership")
    )
    signed_on = signed_on or timezone.localdate()
    if membership.covenant_signed_on is not None:
        raise ValidationError(_("已于 %(day)s 签署公约。") % {"day": membership.covenant_signed_on})
    if not membership.is_member_on(signed_on):
        raise ValidationError(_("只有联盟的现任成员单位才能签署公约。"))
    if not membership.alliance.covenant.strip():
        raise ValidationError(_("该联盟还没有公约文本。"))
    membership.covenant_signed_on = signed_on
    membership.save(update_fields=["covenant_signed_on"])
    return membership


@transaction.atomic
def unit_set_liaisons(*, unit, users):
    """Make `users` the liaisons of `unit`, giving each the unit-liaison role."""
    from portal.roles import Role
    from portal.services import user_grant_role

    unit = MemberUnit.objects.select_for_update(of=("self",)).get(pk=unit.pk)
    unit.liaisons.set(users)
    for user in users:
        user_grant_role(user=user, role=Role.UNIT_LIAISON)
        access.forget_liaison_units(user)
    return unit
