"""Demo data for one street's alliances, at the scale of the case reports: the
street's 区域党建联盟 of 30 member units (plus one that left), a 区域化党委委员会 in
each community, covenant signings, a chair schedule, resources and needs, 57
micro-projects over 8 months with dated progress updates, and the monthly joint
meetings with attendance, problems and their follow-up. (Volunteers' demo makes
some in-service party members work at these units; reports' demo builds the
monthly reports of the months the data covers.)

Unit N of street S has the login `unit{(S-1)*30+N}` as its liaison; other
seeders find "the unit whose liaison is unitN" by that login.
"""

from django.utils import timezone

from alliances import services
from alliances.demo import lists, meetings, members
from alliances.demo.data import PROJECT_MONTHS
from alliances.models import Alliance
from portal.models import User
from portal.months import add_months, month_start

__all__ = ["PROJECT_MONTHS", "seed_street"]


def seed_street(ctx):
    units = members.units(ctx)
    street = ctx.street
    if Alliance.objects.filter(grid=street).exists():
        return
    staff = User.objects.filter(username="street" if ctx.index == 1 else f"street{ctx.index}").first()
    now = timezone.localtime(ctx.now)
    today = now.date()
    former = members.former_unit(ctx)
    street_alliance, committees = members.alliances_of(ctx, units, former, today)
    first_month = add_months(month_start(today), -PROJECT_MONTHS)
    for alliance in [street_alliance, *committees]:
        services.chair_schedule_generate(alliance=alliance, start=first_month, months=PROJECT_MONTHS + 4)
    resources = lists.resources(ctx, units, today)
    needs = lists.needs(ctx, today, staff)
    lists.projects(ctx, needs, resources, street_alliance, committees, staff, now)
    meetings.meetings(ctx, street_alliance, committees, staff, now)
