"""Teams: who sees them, their members, who may organise them."""

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from grids.models import Grid
from portal.scoping import scope_queryset
from volunteers.access import can_manage_team, volunteer_of
from volunteers.models import (
    TeamMembership,
    VolunteerTeam,
)
from volunteers.selectors.scoped import _in_my_street


def teams_visible_to(user):
    teams = VolunteerTeam.objects.select_related("community", "leader")
    return _in_my_street(teams, user, "community")


def get_team_for_user_or_404(user, pk):
    return get_object_or_404(teams_visible_to(user), pk=pk)


def teams_with_counts(teams):
    return teams.annotate(
        members=Count("memberships", filter=Q(memberships__status=TeamMembership.Status.ACTIVE)),
        pending=Count("memberships", filter=Q(memberships__status=TeamMembership.Status.PENDING)),
    )


def team_members(team):
    return (
        TeamMembership.objects.filter(team=team)
        .exclude(status__in=[TeamMembership.Status.LEFT, TeamMembership.Status.REJECTED])
        .select_related("volunteer__community")
        .order_by("status", "volunteer__name")
    )


def membership_of(team, volunteer):
    if volunteer is None:
        return None
    return TeamMembership.objects.filter(team=team, volunteer=volunteer).first()


def teams_organisable_by(user, also=None):
    """Teams the user may publish for: those they lead, those in their staff scope (and `also`)."""
    teams = teams_visible_to(user)
    volunteer = volunteer_of(user)
    led = teams.filter(leader=volunteer) if volunteer else teams.none()
    staffed = scope_queryset(VolunteerTeam.objects.all(), user)
    allowed = Q(pk__in=led.values("pk")) | Q(pk__in=staffed.values("pk"))
    if also is not None:
        allowed |= Q(pk=also.pk)
    return teams.filter(allowed)


def places_for(user, teams):
    """Communities an activity may be held in: the streets of the user's teams, within staff scope.

    A leader may hold an activity anywhere in the team's street; staff who lead
    no team only inside their scope.
    """
    streets = {team.community.tree_id for team in teams}
    communities = Grid.objects.filter(kind=Grid.Kind.COMMUNITY, tree_id__in=streets).order_by("code")
    if volunteer_of(user) is None:
        communities = scope_queryset(communities, user, field="")
    return communities


def get_membership_for_manager_or_404(user, pk):
    membership = get_object_or_404(
        TeamMembership.objects.select_related("team__community", "volunteer"),
        pk=pk,
        team__in=teams_visible_to(user),
    )
    if not can_manage_team(user, membership.team):
        raise Http404
    return membership
