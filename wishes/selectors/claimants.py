"""Who the signed-in user may claim for (themselves, their teams, their units), and their claims."""

from django.db.models import Q

from alliances.access import liaison_unit_ids
from alliances.models import MemberUnit
from volunteers.access import volunteer_of
from volunteers.models import Volunteer, VolunteerTeam
from wishes.models import Claim


def claimants_for(user):
    """Everyone the user may claim for: themself, teams they lead, units they liaise for.

    Built on the volunteer record and the liaison units already kept on the
    user for the request, so someone who is neither costs no further query.
    """
    if not user.is_authenticated:
        return []
    volunteer = volunteer_of(user)
    options = [volunteer] if volunteer is not None else []
    if volunteer is not None:
        options += list(VolunteerTeam.objects.filter(leader=volunteer).order_by("name"))
    unit_ids = liaison_unit_ids(user)
    if unit_ids:
        options += list(MemberUnit.objects.filter(pk__in=unit_ids).order_by("name"))
    return options


def claimant_field(claimant):
    """The Claim field that holds this kind of claimant."""
    return {Volunteer: "volunteer", VolunteerTeam: "team", MemberUnit: "unit"}[type(claimant)]


def claimant_key(claimant):
    return f"{claimant_field(claimant)}-{claimant.pk}"


def claimant_filter(claimants, prefix=""):
    """A Q matching claims made by any of `claimants`."""
    q = Q(pk__in=[])
    for claimant in claimants:
        q |= Q(**{f"{prefix}{claimant_field(claimant)}_id": claimant.pk})
    return q


def claims_of(user, claimants=None):
    """Claims made by anyone the user may act for (`claimants`, when already known), newest first."""
    claimants = claimants_for(user) if claimants is None else claimants
    if not claimants:
        return Claim.objects.none()
    return (
        Claim.objects.filter(claimant_filter(claimants))
        .select_related("wish__community", "volunteer", "team", "unit")
        .order_by("-claimed_at", "-pk")
    )


def claimant_users(claims):
    """{claim pk: [users]} of the people behind each claim: the volunteer, the team leader, the unit's liaisons."""
    claims = list(claims)
    unit_ids = {c.unit_id for c in claims if c.unit_id}
    liaisons = {}
    if unit_ids:
        for unit in MemberUnit.objects.filter(pk__in=unit_ids).prefetch_related("liaisons"):
            liaisons[unit.pk] = [u for u in unit.liaisons.all() if u.is_active]
    result = {}
    for claim in claims:
        if claim.volunteer_id:
            user = claim.volunteer.user
            users = [user] if user is not None else []
        elif claim.team_id:
            leader = claim.team.leader
            users = [leader.user] if leader is not None and leader.user is not None else []
        else:
            users = liaisons.get(claim.unit_id, [])
        result[claim.pk] = [u for u in users if u.is_active]
    return result


def claims_due(start, end):
    """Claims still to be fulfilled whose wish is wanted between `start` and `end` (dates), for reminders."""
    return (
        Claim.objects.filter(
            status=Claim.Status.CLAIMED, wish__wanted_by__gte=start, wish__wanted_by__lte=end
        )
        .select_related("wish__grid", "volunteer__user", "team__leader__user", "unit")
        .order_by("pk")
    )
