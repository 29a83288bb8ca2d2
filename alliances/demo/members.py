"""The demo's units, the street's alliance and the committees, members with covenant signings."""

import datetime

from alliances.demo.data import COVENANT, FORMER_UNIT, UNIT_SPECS, UNITS
from alliances.models import (
    Alliance,
    Membership,
    MemberUnit,
)
from portal.models import User


def short_name(name, suffix):
    return name[: -len(suffix)] if name.endswith(suffix) else name


def units(ctx):
    """The street's 30 units, found (or made) through their liaison logins unit1…unit30."""
    base = (ctx.index - 1) * UNITS
    logins = {n: f"unit{base + n}" for n in range(1, UNITS + 1)}
    users = {u.username: u for u in User.objects.filter(username__in=logins.values())}
    through = MemberUnit.liaisons.through
    linked = {
        row.user.username: row.memberunit
        for row in through.objects.filter(user__username__in=logins.values()).select_related(
            "user", "memberunit"
        )
    }
    street_short = short_name(ctx.street.name, "街道")
    new_units, links = [], []
    for n, (pattern, kind, where) in enumerate(UNIT_SPECS, 1):
        if logins[n] in linked:
            continue
        grid = ctx.street if where == "street" else ctx.communities[where - 1]
        name = pattern.format(s=street_short, c=short_name(grid.name, "社区"))
        unit = MemberUnit.objects.filter(grid=grid, name=name).first()
        if unit is None:
            unit = MemberUnit(
                grid=grid,
                name=name,
                kind=kind,
                party_organisation=f"{name}党支部",
                address=f"{grid.address or grid.name}",
            )
            new_units.append(unit)
        links.append((logins[n], unit))
    MemberUnit.objects.bulk_create(new_units)
    through.objects.bulk_create(
        [through(memberunit_id=unit.pk, user_id=users[login].pk) for login, unit in links if login in users]
    )
    ctx.count("member units", len(new_units))
    by_login = {**linked, **dict(links)}
    return [by_login[logins[n]] for n in range(1, UNITS + 1)]


def former_unit(ctx):
    name = FORMER_UNIT[0].format(s=short_name(ctx.street.name, "街道"))
    unit, _created = MemberUnit.objects.get_or_create(
        grid=ctx.street, name=name, defaults={"kind": FORMER_UNIT[1], "party_organisation": f"{name}党支部"}
    )
    return unit


def alliances_of(ctx, units, former, today):
    rng = ctx.rng_for("alliances")
    founded = today - datetime.timedelta(days=760)
    street_alliance = Alliance.objects.create(
        name=f"{ctx.street.name}区域党建联盟",
        grid=ctx.street,
        founded_on=founded,
        covenant=COVENANT,
        covenant_updated_on=founded,
    )
    memberships = []
    for n, unit in enumerate(units):
        # The founding units first, then the others joining over the first year.
        joined = founded if n < 18 else founded + datetime.timedelta(days=rng.randint(30, 380))
        signed = joined + datetime.timedelta(days=rng.randint(0, 20)) if rng.random() < 0.9 else None
        memberships.append(
            Membership(alliance=street_alliance, unit=unit, joined_on=joined, covenant_signed_on=signed)
        )
    memberships.append(
        Membership(
            alliance=street_alliance,
            unit=former,
            joined_on=founded,
            left_on=today - datetime.timedelta(days=130),
            covenant_signed_on=founded,
        )
    )
    committees = []
    for community in ctx.communities:
        committees.append(
            Alliance(
                name=f"{community.name}区域化党委委员会",
                grid=community,
                founded_on=founded + datetime.timedelta(days=60),
                covenant=COVENANT,
                covenant_updated_on=founded + datetime.timedelta(days=60),
            )
        )
    Alliance.objects.bulk_create(committees)
    street_level = [u for u in units if u.grid_id == ctx.street.pk]
    for i, committee in enumerate(committees):
        local = [u for u in units if u.grid_id == committee.grid_id]
        guests = [street_level[i % len(street_level)], street_level[(i + 3) % len(street_level)]]
        for unit in [*local, *guests]:
            joined = committee.founded_on + datetime.timedelta(days=rng.randint(0, 90))
            memberships.append(
                Membership(
                    alliance=committee,
                    unit=unit,
                    joined_on=joined,
                    covenant_signed_on=joined + datetime.timedelta(days=rng.randint(0, 15)),
                )
            )
    Membership.objects.bulk_create(memberships)
    ctx.count("alliances", 1 + len(committees))
    ctx.count("memberships", len(memberships))
    return street_alliance, committees
