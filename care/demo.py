"""Demo pairings: most vulnerable households of the street get a partner.

Runs after grids (households, grid workers) and volunteers (party members and
volunteers with logins). Each community's volunteers with a login take turns
as partners, party members first, so every demo `volunteerN` login that lives
in the street has a few households; the rest are paired with a grid worker of
the household's grid as the cadre. Written in bulk; skipped when the street
already has pairings.
"""

import datetime
from itertools import cycle

from django.contrib.auth.models import Group

from care.models import Pairing
from grids.models import Household
from portal.roles import Role
from volunteers.models import Volunteer

PAIRED_SHARE = 0.85  # "most" vulnerable households
VOLUNTEER_SHARE = 0.6  # of the pairings, those with a party member or volunteer rather than a cadre


def seed_street(ctx):
    if Pairing.objects.filter(grid__in=ctx.grids).exists():
        return
    rng = ctx.rng_for("pairings")
    start = ctx.now.date()
    partners = _volunteer_partners(ctx)
    cadres = _cadres(ctx)
    pairings = []
    households = (
        Household.objects.filter(grid__in=ctx.grids, category__in=Household.VULNERABLE)
        .select_related("grid")
        .order_by("pk")
    )
    for household in households.iterator(chunk_size=2000):
        if rng.random() >= PAIRED_SHARE:
            continue
        turn = partners.get(household.grid.parent_id)
        if turn is not None and rng.random() < VOLUNTEER_SHARE:
            volunteer = next(turn)
            kind = (
                Pairing.PartnerKind.PARTY_MEMBER
                if volunteer.is_party_member
                else Pairing.PartnerKind.VOLUNTEER
            )
            partner_id, volunteer_id = volunteer.user_id, volunteer.pk
        elif cadres.get(household.grid_id):
            kind, partner_id, volunteer_id = (
                Pairing.PartnerKind.CADRE,
                rng.choice(cadres[household.grid_id]),
                None,
            )
        else:
            continue
        pairings.append(
            Pairing(
                household_id=household.pk,
                grid_id=household.grid_id,
                partner_kind=kind,
                partner_id=partner_id,
                volunteer_id=volunteer_id,
                start_date=start - datetime.timedelta(days=rng.randint(7, 400)),
                note="",
            )
        )
    Pairing.objects.bulk_create(pairings, batch_size=2000)
    ctx.count("pairings", len(pairings))


def _volunteer_partners(ctx):
    """{community pk: an endless turn of its volunteers with a login, party members first}."""
    by_community = {}
    volunteers = Volunteer.objects.filter(community__in=ctx.communities, user__isnull=False).order_by(
        "-is_party_member", "pk"
    )
    for volunteer in volunteers:
        by_community.setdefault(volunteer.community_id, []).append(volunteer)
    return {community: cycle(people) for community, people in by_community.items()}


def _cadres(ctx):
    """{grid pk: the grid workers (staff logins with that grid as scope)}."""
    group = Group.objects.get(name=Role.GRID_WORKER)
    cadres = {}
    for user_id, grid_id in group.user_set.filter(staff_profile__scope__in=ctx.grids).values_list(
        "pk", "staff_profile__scope_id"
    ):
        cadres.setdefault(grid_id, []).append(user_id)
    return cadres
