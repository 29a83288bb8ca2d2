"""Who may change what in an alliance: staff over their subtree, liaisons over their own unit.

Reads are limited by the selectors; these checks guard the writes, so a
service refuses a change even when a caller forgot to look the object up
through a selector first.
"""

from portal.access import staff_over

_UNIT_IDS_ATTR = "_alliances_unit_ids"


def liaison_unit_ids(user):
    """Primary keys of the units this user is a liaison of, cached for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, _UNIT_IDS_ATTR, None)
    if cached is None:
        cached = frozenset(user.liaison_units.values_list("pk", flat=True))
        setattr(user, _UNIT_IDS_ATTR, cached)
    return cached


def forget_liaison_units(user):
    if hasattr(user, _UNIT_IDS_ATTR):
        delattr(user, _UNIT_IDS_ATTR)


def is_liaison_of(user, unit):
    return unit is not None and unit.pk in liaison_unit_ids(user)


def can_edit_unit_lists(user, unit):
    """The unit's own liaison, or staff over the unit's place."""
    return is_liaison_of(user, unit) or staff_over(user, unit.grid, "alliances.change_resource")


def posting_unit(user, project):
    """The participating unit this user posts for, or None (staff post for no unit)."""
    mine = liaison_unit_ids(user)
    if project.lead_unit_id in mine:
        return project.lead_unit
    partners = project.partner_units.filter(pk__in=mine).order_by("pk")
    return partners.first()


def can_post_update(user, project):
    return posting_unit(user, project) is not None or staff_over(
        user, project.community, "alliances.add_projectupdate"
    )


def can_set_progress(user, project):
    """Progress in percent is the lead unit's (or staff's) statement, not a partner's."""
    return is_liaison_of(user, project.lead_unit) or staff_over(
        user, project.community, "alliances.change_project"
    )


def can_manage_project(user, project):
    return staff_over(user, project.community, "alliances.change_project")


def can_follow_up_problem(user, problem):
    return is_liaison_of(user, problem.owner_unit) or staff_over(
        user, problem.meeting.alliance.grid, "alliances.change_meetingproblem"
    )
