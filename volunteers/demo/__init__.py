"""Demo data for one street: 25 volunteer teams, ~1,500 volunteers (one for every
`volunteerN` login, the 891 party members with their 双报到 records), eight
months of activities with sign-ups, attendance and ~13,000 service
person-times, and the points they earned.

Runs after grids (it needs the street, its residents and the volunteer
logins) and alliances (some party members work at its member units), and
before wishes, which finds each login's Volunteer.
Everything is written in bulk; each part checks whether it is already there.
"""

from volunteers.demo import activities, people
from volunteers.demo.data import VOLUNTEER_LOGINS
from volunteers.models import Activity, DualReport, Volunteer, VolunteerTeam

__all__ = ["VOLUNTEER_LOGINS", "seed_street"]


def seed_street(ctx):
    street = ctx.street
    if not Volunteer.objects.filter(community__in=ctx.communities).exists():
        people.volunteers(ctx)
    else:
        people.volunteers_for_new_logins(ctx)
    if not VolunteerTeam.objects.filter(community__tree_id=street.tree_id).exists():
        people.teams(ctx)
    if not DualReport.objects.filter(community__in=ctx.communities).exists():
        people.dual_reports(ctx)
        people.party_members_at_units(ctx)
    if not Activity.objects.filter(community__tree_id=street.tree_id).exists():
        activities.activities(ctx)
