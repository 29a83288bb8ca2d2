"""Who may run a team's activities and verify hours.

A team's leader runs its activities from a phone; street staff and community
secretaries run and verify those inside their scope. The rule is data (who
leads the team) plus the one scoping rule, so it lives here, shared by the
selectors (404 for the rest), the services (re-checked under lock) and the
templates (which buttons to show).
"""

from portal.access import staff_over


def volunteer_of(user):
    """The user's volunteer record, or None; cached on the user for the request."""
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "_volunteer_record"):
        from volunteers.models import Volunteer

        user._volunteer_record = Volunteer.objects.filter(user=user).select_related("community").first()
    return user._volunteer_record


def leads_team(user, team):
    volunteer = volunteer_of(user)
    return volunteer is not None and team.leader_id == volunteer.pk


def can_manage_team(user, team):
    return leads_team(user, team) or staff_over(user, team.community)


def can_organise(user, activity):
    """Check people in and out, edit and cancel: the team's leader or staff in scope."""
    return leads_team(user, activity.team) or staff_over(user, activity.community)


def can_verify(user, activity):
    """Verify hours: the organiser team's leader, or community or street staff in scope."""
    return can_organise(user, activity)
