"""Demo pairings (most vulnerable households of the street get a partner) and posts (认岗).

Runs after grids (households, grid workers) and volunteers (party members and
volunteers with logins). Each community's volunteers with a login take turns
as partners, party members first, so every demo `volunteerN` login that lives
in the street has a few households; the rest are paired with a grid worker of
the household's grid as the cadre. Written in bulk; skipped when the street
already has pairings.

Posts: each community publishes a few posts; its party members with a login
claim them (within capacity), record service, and most of it is verified
(earning points); half the party members agree to be shown (亮身份).
"""

import datetime
from decimal import Decimal
from itertools import cycle

from django.contrib.auth.models import Group

from care.models import Pairing, Post, PostClaim, PostService
from care.services import POST_RULE
from grids.models import Building, GridAssignment, Household
from points.services import Award, points_award_bulk
from portal.roles import Role
from volunteers.models import Volunteer

PAIRED_SHARE = 0.85  # "most" vulnerable households
VOLUNTEER_SHARE = 0.6  # of the pairings, those with a party member or volunteer rather than a cadre


def seed_street(ctx):
    _seed_posts(ctx)
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


POSTS = [
    (Post.Kind.HELP, "独居老人帮扶岗", "每周看望或电话联系独居、空巢老人，发现困难及时报告网格员。", 4),
    (Post.Kind.CIVILITY, "文明劝导岗", "劝导楼道堆物、高空抛物、不文明养犬，宣传垃圾分类。", 3),
    (Post.Kind.PUBLICITY, "政策宣传岗", "在小区宣传栏和居民群转达社区通知和惠民政策，解答居民疑问。", 2),
    (Post.Kind.ENVIRONMENT, "环境维护岗", "每月参加一次楼道和公共区域清洁，发现设施损坏随手拍上报。", 3),
]
SERVICE = [
    "看望独居老人",
    "电话问候空巢老人",
    "劝导楼道堆物",
    "宣传垃圾分类",
    "清理楼道小广告",
    "转达社区通知",
]


LEADER_PARTY_SHARE = 0.46  # of building leaders, party members (as in one street's report)


def _party_building_leaders(ctx):
    """Some building leaders are party members: their volunteer record says so, and most agree to be shown."""
    rng = ctx.rng_for("party leaders")
    leaders = (
        GridAssignment.objects.filter(
            grid__in=ctx.grids, role=GridAssignment.Role.BUILDING_LEADER, person__volunteer__isnull=True
        )
        .select_related("person", "grid")
        .order_by("pk")
    )
    created = 0
    for assignment in leaders:
        if rng.random() >= LEADER_PARTY_SHARE:
            continue
        person = assignment.person
        Volunteer(
            user=person,
            name=person.full_name or person.get_username(),
            community_id=assignment.grid.parent_id,
            is_party_member=True,
            shows_identity=rng.random() < 0.7,
        ).save()
        created += 1
    ctx.count("party building leaders", created)


def _seed_posts(ctx):
    if Post.objects.filter(community__in=ctx.communities).exists():
        return
    _party_building_leaders(ctx)
    rng = ctx.rng_for("posts")
    members = {}
    for volunteer in Volunteer.objects.filter(
        community__in=ctx.communities, is_party_member=True, user__isnull=False
    ).order_by("pk"):
        members.setdefault(volunteer.community_id, []).append(volunteer)
    first_buildings = {}
    for building in Building.objects.filter(grid__in=ctx.grids).select_related("grid").order_by("pk"):
        first_buildings.setdefault(building.grid.parent_id, building)
    today = ctx.now.date()
    shown, awards = [], []
    posts = claims = services = 0
    for community in ctx.communities:
        people = members.get(community.pk, [])
        building = first_buildings.get(community.pk)
        turn = iter(people)
        for kind, title, duties, capacity in POSTS:
            post = Post.objects.create(
                community=community,
                kind=kind,
                title=f"{community.name}{title}",
                duties=duties,
                place=f"{building.name}周边" if building and kind == Post.Kind.HELP else "社区各小区",
                building=building if kind == Post.Kind.HELP else None,
                capacity=capacity,
            )
            posts += 1
            taken = 0
            for volunteer in turn:
                claimed = ctx.now - datetime.timedelta(days=rng.randint(20, 200))
                claim = PostClaim.objects.create(
                    post=post, volunteer=volunteer, community=community, claimed_at=claimed
                )
                claims += 1
                taken += 1
                for _ in range(rng.randint(1, 4)):
                    served = today - datetime.timedelta(days=rng.randint(0, 19))
                    verified = rng.random() < 0.7
                    service = PostService.objects.create(
                        claim=claim,
                        community=community,
                        served_on=served,
                        hours=rng.choice([1, 1.5, 2, 3]),
                        content=rng.choice(SERVICE),
                        recorded_at=ctx.now - datetime.timedelta(days=(today - served).days),
                        verified_at=ctx.now if verified else None,
                    )
                    services += 1
                    if verified:
                        awards.append(
                            Award(
                                rule_code=POST_RULE,
                                subject=volunteer,
                                source=service,
                                occurred_at=ctx.now,
                                quantity=Decimal(str(service.hours)),
                                note=post.title,
                            )
                        )
                if taken >= max(capacity - 1, 1):
                    break
            Post.objects.filter(pk=post.pk).update(claimed_count=taken)
        shown += [v.pk for v in people if rng.random() < 0.5]
    Volunteer.objects.filter(pk__in=shown).update(shows_identity=True)
    points_award_bulk(awards=awards)
    ctx.count("posts", posts)
    ctx.count("post claims", claims)
    ctx.count("post service", services)
