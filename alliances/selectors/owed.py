"""What units and staff owe next, and whom to tell: the reads the inbox's to-do and receivers use.

A unit's liaison owes its matched projects a start, its running projects a
progress update each month, its memberships a signed covenant, its alliances'
meetings a presence and its problems a resolution; staff owe whatever in
their scope is past its date.
"""

import datetime

from django.db.models import Exists, F, OuterRef, Q

from alliances.models import (
    JointMeeting,
    MeetingProblem,
    Membership,
    Need,
    NeedOffer,
    Project,
    ProjectUpdate,
)
from alliances.selectors.scoped import _projects_of_units, needs_visible_to
from portal.scoping import scope_queryset


def _current_memberships(on):
    return Membership.objects.filter(joined_on__lte=on).filter(Q(left_on__isnull=True) | Q(left_on__gt=on))


def liaisons_of_alliance(alliance, on):
    """Active liaison logins of the units that are members of `alliance` on the day `on`."""
    from portal.models import User

    units = _current_memberships(on).filter(alliance=alliance).values("unit_id")
    return list(User.objects.filter(liaison_units__in=units, is_active=True).distinct().order_by("pk"))


def matched_projects_to_start(unit_ids):
    """Projects the units lead that a need was matched to and that have not started yet."""
    return (
        Project.objects.filter(lead_unit__in=unit_ids, status=Project.Status.PLANNED)
        .select_related("community", "need")
        .order_by("created_at", "pk")
    )


def projects_due_update(unit_ids, since):
    """Active projects the units lead or partner in without an update from them since `since`."""
    posted = ProjectUpdate.objects.filter(project=OuterRef("pk"), unit__in=unit_ids, posted_at__gte=since)
    return (
        Project.objects.filter(_projects_of_units(unit_ids), status=Project.Status.IN_PROGRESS)
        .exclude(Exists(posted))
        .select_related("community")
        .order_by("pk")
    )


def covenants_to_sign(unit_ids, today):
    """Current memberships of the units whose covenant is not signed yet."""
    return (
        _current_memberships(today)
        .filter(unit__in=unit_ids, covenant_signed_on__isnull=True)
        .select_related("alliance", "unit")
        .order_by("alliance_id", "pk")
    )


def meetings_ahead(unit_ids, now, days):
    """Planned joint meetings of the units' alliances within the next `days` days."""
    alliances = Membership.objects.filter(unit__in=unit_ids, left_on__isnull=True).values("alliance_id")
    return (
        JointMeeting.objects.filter(
            alliance__in=alliances,
            status=JointMeeting.Status.PLANNED,
            held_at__gte=now,
            held_at__lt=now + datetime.timedelta(days=days),
        )
        .select_related("alliance")
        .order_by("held_at", "pk")
    )


def open_problems_of_units(unit_ids):
    return (
        MeetingProblem.objects.filter(owner_unit__in=unit_ids)
        .exclude(status=MeetingProblem.Status.RESOLVED)
        .select_related("meeting")
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )


def offers_to_decide(user):
    """Units' offers waiting for the user: staff over the need's community who may set up projects."""
    from alliances.selectors.scoped import offers_visible_to

    if not user.has_perm("alliances.add_project"):
        return NeedOffer.objects.none()
    return (
        scope_queryset(offers_visible_to(user), user)
        .filter(status=NeedOffer.Status.PENDING)
        .order_by("offered_at", "pk")
    )


def offer_deciders(need):
    """Active staff whose scope holds the need's community and who may confirm an offer on it."""
    from portal.access import staff_over
    from portal.models import User

    nodes = need.community.get_ancestors(include_self=True)
    users = User.objects.filter(is_active=True, staff_profile__scope__in=nodes).order_by("pk")
    return [user for user in users if staff_over(user, need.community, "alliances.add_project")]


def overdue_projects(user, today):
    """Projects in the user's scope still running after their planned end."""
    return (
        scope_queryset(Project.objects.select_related("community", "lead_unit"), user)
        .filter(status__in=Project.ACTIVE, end_on__lt=today)
        .order_by("end_on", "pk")
    )


def overdue_needs(user, today):
    """Needs in the user's scope still waiting for a match after their wanted-by date."""
    return (
        needs_visible_to(user)
        .filter(status=Need.Status.OPEN, wanted_by__lt=today)
        .order_by("wanted_by", "pk")
    )


def overdue_problems(user, today):
    """Problems raised at joint meetings in the user's scope, past their due date and not resolved."""
    return (
        scope_queryset(MeetingProblem.objects.select_related("meeting", "owner_unit"), user)
        .exclude(status=MeetingProblem.Status.RESOLVED)
        .filter(due_on__lt=today)
        .order_by("due_on", "pk")
    )
