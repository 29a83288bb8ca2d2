"""Volunteers: registering and changing one (with the personal-data log), 在职党员双报到."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from portal.privacy import personal_data_write_record
from portal.scoping import in_scope


@transaction.atomic
def volunteer_save(*, volunteer, actor, via, changed_fields=()):
    """Register or update a volunteer, recording the personal data it sets.

    `changed_fields` names what the caller changed on an existing volunteer (an
    admin form's changed_data); `via` says where, for the access log.
    """
    if not in_scope(actor, volunteer.community):
        raise PermissionDenied(_("该社区不在您的管辖范围内。"))
    is_new = volunteer.pk is None
    volunteer.full_clean()
    volunteer.save()
    personal_data_write_record(
        actor=actor,
        via=via,
        created=[volunteer] if is_new else (),
        changed=() if is_new else [volunteer],
        changed_fields=changed_fields,
    )
    return volunteer


@transaction.atomic
def volunteer_report_to_community(*, volunteer, community, work_unit, party_organisation=None):
    """在职党员双报到: the volunteer is an in-service party member living in `community`.

    `party_organisation` None keeps the stored one; "" clears it.
    """
    volunteer.is_party_member = True
    volunteer.work_unit = work_unit
    volunteer.community = community
    if party_organisation is not None:
        volunteer.party_organisation = party_organisation[:100]
    volunteer.save(update_fields=["is_party_member", "work_unit", "community", "party_organisation"])
    return volunteer


@transaction.atomic
def volunteer_identity_consent(*, volunteer, shows):
    """亮身份: the party member's own choice to be named on the boards of the buildings they serve."""
    if shows and not volunteer.is_party_member:
        raise PermissionDenied(_("亮身份面向党员：您的志愿者档案没有登记为党员。"))
    volunteer.shows_identity = bool(shows)
    volunteer.save(update_fields=["shows_identity"])
    return volunteer
