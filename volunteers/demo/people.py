"""The demo's volunteers (from residents and logins), teams with members, 双报到, party members at member units."""

import datetime

from alliances.models import MemberUnit
from grids.models import Resident
from portal.demo import mobile
from portal.models import User
from portal.validators import id_number_check_char
from volunteers.demo.data import (
    OTHER_VOLUNTEERS,
    PARTY_LOGINS,
    PARTY_MEMBERS_AT_UNITS,
    TEAM_KINDS,
    VOLUNTEER_LOGINS,
    WORK_UNITS,
)
from volunteers.models import (
    DualReport,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
)


def _logins(ctx):
    base = (ctx.index - 1) * VOLUNTEER_LOGINS
    names = [f"volunteer{base + k}" for k in range(1, VOLUNTEER_LOGINS + 1)]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    return [users[name] for name in names if name in users]


class _Ids:
    """Identity numbers unique in the street: its own region code, no repeats."""

    def __init__(self, ctx, rng):
        self.region = f"6201{ctx.index % 100:02d}"
        self.rng = rng
        self.used = set(Volunteer.objects.values_list("id_number", flat=True))

    def new(self, birth=None):
        while True:
            year = birth.year if birth else self.rng.randint(1955, 2003)
            month = birth.month if birth else self.rng.randint(1, 12)
            day = birth.day if birth else self.rng.randint(1, 28)
            first17 = f"{self.region}{year:04d}{month:02d}{day:02d}{self.rng.randrange(1000):03d}"
            number = first17 + id_number_check_char(first17)
            if number not in self.used:
                self.used.add(number)
                return number


def _volunteer_from_resident(resident, community, ids, rng):
    return Volunteer(
        name=resident.name,
        gender=resident.gender,
        phone=resident.phone or mobile(rng),
        id_number=ids.new(resident.birth_date),
        community=community,
        skills=rng.choice(("", "", "医疗", "法律", "文艺", "摄影", "电工、维修", "理发", "心理咨询", "教育")),
    )


def volunteers(ctx):
    rng = ctx.rng_for("volunteers")
    ids = _Ids(ctx, rng)
    community_of = {g.pk: g.parent for g in ctx.grids}
    residents = Resident.objects.filter(household__grid__in=ctx.grids).select_related("household")
    members = list(residents.filter(is_party_member=True).order_by("pk"))
    people = []
    for resident in members:
        volunteer = _volunteer_from_resident(resident, community_of[resident.household.grid_id], ids, rng)
        volunteer.is_party_member = True
        unit = rng.choice(WORK_UNITS)
        volunteer.work_unit = unit
        volunteer.party_organisation = f"{unit}党支部"
        people.append(volunteer)
    _attach_logins(ctx, rng, people, ids)
    others = list(
        residents.filter(is_party_member=False, birth_date__year__lte=2004)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen = Resident.objects.filter(
        pk__in=rng.sample(others, min(OTHER_VOLUNTEERS, len(others)))
    ).select_related("household")
    for resident in chosen.order_by("pk"):
        people.append(_volunteer_from_resident(resident, community_of[resident.household.grid_id], ids, rng))
    _save_volunteers(people)
    ctx.count("volunteers", len(people))


def _attach_logins(ctx, rng, people, ids):
    """volunteer1…60 are party members (1…25 lead the teams); the rest are new volunteers."""
    logins = _logins(ctx)
    free = list(people)
    for k, user in enumerate(logins[:PARTY_LOGINS], 1):
        # Team k's leader lives in that team's community (two teams a community).
        home = ctx.communities[(k - 1) // 2 % len(ctx.communities)]
        volunteer = next((v for v in free if v.community == home), free[0])
        free.remove(volunteer)
        volunteer.user, volunteer.name = user, user.full_name or user.username
    for k, user in enumerate(logins[PARTY_LOGINS:], PARTY_LOGINS + 1):
        people.append(_new_login_volunteer(user, ctx.communities[k % len(ctx.communities)], ids, rng))


def _new_login_volunteer(user, community, ids, rng):
    return Volunteer(
        user=user,
        name=user.full_name or user.username,
        gender=rng.choice("MF"),
        phone=user.phone or mobile(rng),
        id_number=ids.new(),
        community=community,
        skills=rng.choice(("", "摄影", "文艺", "驾驶", "计算机")),
    )


def _save_volunteers(people):
    Volunteer.objects.bulk_create(people, batch_size=1000)
    for volunteer in people:
        volunteer.number = Volunteer.number_for(volunteer.pk)
    Volunteer.objects.bulk_update(people, ["number"], batch_size=1000)


def volunteers_for_new_logins(ctx):
    """A later run with more logins: each login still gets its volunteer record."""
    rng = ctx.rng_for("volunteers:late")
    missing = [u for u in _logins(ctx) if not Volunteer.objects.filter(user=u).exists()]
    if missing:
        ids = _Ids(ctx, rng)
        people = [
            _new_login_volunteer(u, ctx.communities[k % len(ctx.communities)], ids, rng)
            for k, u in enumerate(missing)
        ]
        _save_volunteers(people)
        ctx.count("volunteers", len(people))


def teams(ctx):
    rng = ctx.rng_for("teams")
    leaders = {
        v.user.username: v for v in Volunteer.objects.filter(user__in=_logins(ctx)).select_related("user")
    }
    base = (ctx.index - 1) * VOLUNTEER_LOGINS
    teams = []
    for c, community in enumerate(ctx.communities):
        teams.append(
            VolunteerTeam(name=f"{community.name}党员先锋志愿服务队", kind="community", community=community)
        )
        kind = rng.choice(TEAM_KINDS)
        teams.append(
            VolunteerTeam(
                name=f"{community.name}{kind}志愿服务队",
                kind="social" if c % 4 == 3 else "community",
                community=community,
            )
        )
    teams.append(
        VolunteerTeam(name=f"{ctx.street.name}红十字志愿服务队", kind="social", community=ctx.street)
    )
    for k, team in enumerate(teams, 1):
        team.leader = leaders.get(f"volunteer{base + k}")
        team.description = rng.choice(
            (
                "立足社区、服务居民，常年开展助老、环保和平安志愿服务。",
                "由在职党员和热心居民组成，每周固定开展服务。",
                "欢迎有时间、有爱心的居民加入。",
            )
        )
    VolunteerTeam.objects.bulk_create(teams)
    ctx.count("volunteer teams", len(teams))
    _memberships(ctx, rng, teams)


def _memberships(ctx, rng, teams):
    by_community = {}
    for team in teams[:-1]:
        by_community.setdefault(team.community_id, []).append(team)
    street_team = teams[-1]
    now = ctx.now
    rows = {}
    for volunteer in Volunteer.objects.filter(community__in=ctx.communities).order_by("pk"):
        own = by_community[volunteer.community_id]
        choices = [rng.choice(own)] if rng.random() < 0.8 else []
        if rng.random() < 0.15:
            choices.append(street_team if rng.random() < 0.5 else own[0])
        for team in choices:
            roll = rng.random()
            status = "active" if roll < 0.93 else ("pending" if roll < 0.97 else "left")
            applied = now - datetime.timedelta(days=rng.randint(10, 600))
            rows[(team.pk, volunteer.pk)] = TeamMembership(
                team=team,
                volunteer=volunteer,
                status=status,
                applied_at=applied,
                decided_at=None
                if status == "pending"
                else applied + datetime.timedelta(days=rng.randint(0, 5)),
                left_at=now - datetime.timedelta(days=rng.randint(1, 60)) if status == "left" else None,
            )
    for team in teams:
        if team.leader_id:
            rows[(team.pk, team.leader_id)] = TeamMembership(
                team=team, volunteer_id=team.leader_id, status="active", applied_at=now, decided_at=now
            )
    TeamMembership.objects.bulk_create(rows.values(), batch_size=2000)
    ctx.count("team members", len(rows))


def dual_reports(ctx):
    rng = ctx.rng_for("dual_reports")
    reports = []
    members = Volunteer.objects.filter(community__in=ctx.communities, is_party_member=True).exclude(
        work_unit=""
    )
    for volunteer in members.order_by("pk"):
        roll = rng.random()
        status = "reported" if roll < 0.92 else ("pending" if roll < 0.99 else "transferred")
        reports.append(
            DualReport(
                volunteer=volunteer,
                community_id=volunteer.community_id,
                work_unit=volunteer.work_unit,
                reported_on=(ctx.now - datetime.timedelta(days=rng.randint(20, 1000))).date()
                if status != "pending"
                else None,
                status=status,
            )
        )
    DualReport.objects.bulk_create(reports, batch_size=1000)
    ctx.count("dual reports", len(reports))


def party_members_at_units(ctx):
    """Some of the street's in-service party members work at its member units.

    Their work unit (工作单位, free text) becomes the unit's name, as a person
    registering would write it, so the monthly report credits the unit with
    their wishes and service hours (see alliances.models.unit_name_key).
    """
    units = list(MemberUnit.objects.filter(grid__tree_id=ctx.street.tree_id).order_by("pk"))
    if not units:
        return
    rng = ctx.rng_for("party members at units")
    members = list(
        Volunteer.objects.filter(is_party_member=True, community__in=ctx.communities)
        .exclude(work_unit="")
        .order_by("pk")
    )
    chosen = rng.sample(members, int(len(members) * PARTY_MEMBERS_AT_UNITS))
    for volunteer in chosen:
        unit = rng.choice(units)
        volunteer.work_unit = unit.name
        volunteer.party_organisation = unit.party_organisation or f"{unit.name}党支部"
    Volunteer.objects.bulk_update(chosen, ["work_unit", "party_organisation"], batch_size=1000)
    work_unit_of = {v.pk: v.work_unit for v in chosen}
    reports_of = list(DualReport.objects.filter(volunteer__in=chosen))
    for report in reports_of:
        report.work_unit = work_unit_of[report.volunteer_id]
    DualReport.objects.bulk_update(reports_of, ["work_unit"], batch_size=1000)
    ctx.count("party members at member units", len(chosen))
