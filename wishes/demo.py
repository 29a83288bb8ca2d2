"""Demo micro-wishes for one street: ~2,000 wishes in every state, with claims,
confirmations, ratings, history and the points they earned.

Runs after the grids, volunteers and alliances seeders. Where those have not
made a volunteer record for a `volunteerN` login, or a unit for a `unitN`
login, a minimal one is made here, keyed on the login, so that a later
seeder's records are reused instead of doubled.

The first twenty volunteer logins get finished claims only (history and
points) and no open ones, so each of them can still claim new wishes.
"""

import datetime

from alliances.models import MemberUnit
from grids.models import Household
from points.services import Award, points_award_bulk
from portal.models import User
from volunteers.models import Volunteer, VolunteerTeam
from wishes.models import CODE_ALPHABET, CODE_LENGTH, Claim, Wish, WishEvent
from wishes.services import POINTS_RULES

WISHES = 2_000
FREE_VOLUNTEERS = 20  # volunteer1…volunteer20 keep room to claim

# Share of the street's wishes in each state.
STATES = [
    (Wish.Status.SUBMITTED, 120),
    (Wish.Status.REJECTED, 80),
    (Wish.Status.PUBLISHED, 260),
    (Wish.Status.PARTLY_CLAIMED, 60),
    (Wish.Status.CLAIMED, 200),
    (Wish.Status.FULFILLED, 180),
    (Wish.Status.CONFIRMED, 950),
    (Wish.Status.CLOSED, 150),
]

TEXTS = {
    Wish.Category.DAILY: (
        "家里水龙头漏水，希望有人帮忙修一修",
        "希望有人帮忙更换楼道和厨房的灯泡",
        "想要一台能用的二手洗衣机",
        "希望有人帮忙清理阳台上的杂物",
        "冬天快到了，希望有人帮忙糊窗户缝",
    ),
    Wish.Category.STUDY: (
        "孩子想学英语，希望有大学生志愿者每周辅导一次",
        "想学习用智能手机和外地的孩子视频通话",
        "希望有人辅导孩子的数学作业",
        "想借阅一些历史和养生方面的书籍",
        "希望有人教我使用手机缴纳水电费",
    ),
    Wish.Category.HEALTH: (
        "希望有人陪同去医院复查",
        "想要一个电子血压计，方便每天量血压",
        "希望有医生上门帮忙量血压、讲讲用药",
        "需要一副合适的老花镜",
        "腿脚不便，希望有人帮忙去医院取药",
    ),
    Wish.Category.JOBS: (
        "希望在社区附近找一份保洁工作",
        "想参加电工技能培训，学一门手艺",
        "希望有人帮忙写一份求职简历",
        "孩子刚毕业，想找一个实习岗位",
        "想学习开网店，希望有人指导",
    ),
    Wish.Category.ELDERLY: (
        "老伴走了，希望每周有人上门陪我聊聊天",
        "想要一副助行器，出门方便些",
        "希望有人每周帮忙买菜送上门",
        "希望有人上门帮忙理发",
        "希望有人帮忙打扫卫生、擦擦窗户",
    ),
    Wish.Category.OTHER: (
        "想给孙子过生日订一个蛋糕",
        "希望有人帮忙修一修自行车",
        "想给孩子添置一张书桌",
        "希望有人帮忙把旧衣物捐出去",
        "想学做几道家常菜",
    ),
}
REJECT_REASONS = (
    "属于物业维修范围，已转交物业处理",
    "涉及个人借款，不在微心愿范围内",
    "已通过临时救助渠道解决",
    "与已发布的心愿重复，请关注原心愿",
)
NOTES = (
    "已上门完成，老人很满意",
    "已送达并安装调试好",
    "已陪同就医，复查结果正常",
    "已完成，约好下周再去看看",
    "已辅导两次，孩子进步明显",
)
COMMENTS = ("非常感谢！", "很及时，服务很好", "小伙子很热心", "谢谢社区和志愿者", "", "", "")
UNIT_NAMES = (
    "兰州银行{s}支行",
    "{s}中学",
    "市第二人民医院{s}分院",
    "{s}供电所",
    "{s}邮政支局",
    "国网{s}营业厅",
    "{s}派出所",
    "{s}社区卫生服务中心",
    "{s}便民超市",
    "{s}律师事务所",
)
UNIT_KINDS = list(MemberUnit.Kind)


def seed_street(ctx):
    volunteers = _ensure_volunteers(ctx)
    units = _ensure_units(ctx)
    teams = _ensure_teams(ctx, volunteers)
    if Wish.objects.filter(community__in=ctx.communities).exists():
        return
    _wishes(ctx, volunteers, teams, units)


# --- claimants ------------------------------------------------------------------------------


def _logins(ctx, prefix):
    names = [n for n in ctx.logins.get(prefix, []) if n]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    return [users[n] for n in names if n in users]


def _ensure_volunteers(ctx):
    """A volunteer record for every volunteerN login of the street, made only where missing."""
    users = _logins(ctx, "volunteer")
    have = set(Volunteer.objects.filter(user__in=users).values_list("user_id", flat=True))
    rng = ctx.rng_for("wishes:volunteers")
    missing = [
        Volunteer(
            user=user,
            name=user.full_name or user.username,
            phone=user.phone,
            community=ctx.communities[i % len(ctx.communities)],
            is_party_member=rng.random() < 0.5,
        )
        for i, user in enumerate(users)
        if user.pk not in have
    ]
    Volunteer.objects.bulk_create(missing, batch_size=1000)
    ctx.count("volunteer records", len(missing))
    by_user = {v.user_id: v for v in Volunteer.objects.filter(user__in=users).select_related("community")}
    return [by_user[u.pk] for u in users if u.pk in by_user]


def _ensure_units(ctx):
    """A member unit for every unitN login of the street that liaises for none, made only where missing."""
    users = _logins(ctx, "unit")
    through = MemberUnit.liaisons.through
    have = set(through.objects.filter(user__in=users).values_list("user_id", flat=True))
    short = ctx.street.name.removesuffix("街道")
    new = []
    for i, user in enumerate(users):
        if user.pk in have:
            continue
        name = UNIT_NAMES[i % len(UNIT_NAMES)].format(s=short)
        if i >= len(UNIT_NAMES):
            name += f"（{i // len(UNIT_NAMES) + 1}）"
        new.append(
            (
                user,
                MemberUnit(
                    name=name,
                    kind=UNIT_KINDS[i % len(UNIT_KINDS)],
                    grid=ctx.street if i % 3 == 0 else ctx.communities[i % len(ctx.communities)],
                    address=ctx.street.address,
                ),
            )
        )
    taken = set(
        MemberUnit.objects.filter(grid__in=[ctx.street, *ctx.communities]).values_list("grid_id", "name")
    )
    new = [(u, unit) for u, unit in new if (unit.grid_id, unit.name) not in taken]
    MemberUnit.objects.bulk_create([unit for _u, unit in new])
    through.objects.bulk_create([through(memberunit_id=unit.pk, user_id=u.pk) for u, unit in new])
    ctx.count("member units", len(new))
    return list(
        MemberUnit.objects.filter(liaisons__in=users)
        .distinct()
        .select_related("grid")
        .prefetch_related("liaisons")
        .order_by("pk")
    )


def _ensure_teams(ctx, volunteers):
    """Teams led by a volunteer login; six are made when the street has none."""
    nodes = [ctx.street, *ctx.communities]
    teams = _led_teams(nodes)
    if teams or len(volunteers) < 10:
        return teams
    leaders = volunteers[-6:]
    new = [
        VolunteerTeam(
            name=f"{community.name}邻里帮帮团",
            community=community,
            leader=leader,
            kind=VolunteerTeam.Kind.COMMUNITY,
        )
        for community, leader in zip(ctx.communities[:6], leaders, strict=False)
    ]
    existing = set(VolunteerTeam.objects.filter(community__in=nodes).values_list("community_id", "name"))
    new = [t for t in new if (t.community_id, t.name) not in existing]
    VolunteerTeam.objects.bulk_create(new)
    ctx.count("volunteer teams", len(new))
    return _led_teams(nodes)


def _led_teams(nodes):
    return list(
        VolunteerTeam.objects.filter(community__in=nodes, leader__user__isnull=False)
        .select_related("community", "leader")
        .order_by("pk")
    )


# --- wishes -----------------------------------------------------------------------------------


def _code(rng):
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _wishes(ctx, volunteers, teams, units):
    rng = ctx.rng_for("wishes")
    now = ctx.now
    today = now.date()
    households = list(
        Household.objects.filter(grid__in=ctx.grids)
        .select_related("building")
        .only("pk", "grid_id", "head_name", "phone", "category", "unit", "room", "building__name")
        .order_by("pk")
    )
    vulnerable = [h for h in households if h.category != Household.Category.GENERAL]
    grid_parent = {g.pk: g.parent_id for g in ctx.grids}
    grids = {g.pk: g for g in ctx.grids}
    free = {v.pk for v in volunteers[:FREE_VOLUNTEERS]}
    busy_volunteers = [v for v in volunteers if v.pk not in free]
    open_claims = {}

    states = [state for state, share in STATES for _ in range(share * WISHES // 2000)]
    wishes, plans = [], []
    for state in states:
        household = rng.choice(vulnerable if rng.random() < 0.4 else households)
        matched = rng.random() < 0.85
        category = rng.choice(list(Wish.Category))
        text = rng.choice(TEXTS[category])
        grid = grids[household.grid_id]
        at_community = rng.random() < 0.2
        submitted_at, wanted_by = _dates(rng, state, now)
        slots = 1 if rng.random() < 0.85 or state == Wish.Status.SUBMITTED else rng.randint(2, 3)
        if state == Wish.Status.PARTLY_CLAIMED:
            slots = rng.randint(2, 4)
        priority = 0
        if matched and household.category != Household.Category.GENERAL:
            priority = 2 if rng.random() < 0.1 else 1
        wish = Wish(
            code=_code(rng),
            grid_id=grid_parent[grid.pk] if at_community else grid.pk,
            community_id=grid_parent[grid.pk],
            name=household.head_name,
            phone=household.phone
            if matched and household.phone
            else f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
            address=f"{household.building.name.removesuffix('号楼')}-{household.unit}-{household.room}"
            if matched and rng.random() < 0.5
            else "",
            category=category,
            text=text,
            public_text="" if state == Wish.Status.SUBMITTED else text,
            wanted_by=wanted_by,
            status=state,
            slots=slots,
            priority=priority if state != Wish.Status.SUBMITTED else 0,
            household_id=household.pk if matched else None,
            household_category=household.category if matched else "",
            submitted_at=submitted_at,
        )
        reviewed = submitted_at + datetime.timedelta(hours=rng.randint(4, 60))
        if state != Wish.Status.SUBMITTED:
            wish.reviewed_at = min(reviewed, now)
        if state == Wish.Status.REJECTED:
            wish.reject_reason = rng.choice(REJECT_REASONS)
            wish.finished_at = wish.reviewed_at
        if state == Wish.Status.PUBLISHED and wanted_by < today:
            wish.overdue_at = datetime.datetime.combine(
                wanted_by, datetime.time(0, 10), tzinfo=now.tzinfo
            ) + datetime.timedelta(days=1)
        wishes.append(wish)
        plans.append(state)
    Wish.objects.bulk_create(wishes, batch_size=1000)
    ctx.count("wishes", len(wishes))

    claimants = _claimant_pool(busy_volunteers, volunteers, teams, units)
    claims, events = [], []
    for wish in wishes:
        events.append(WishEvent(wish=wish, kind=WishEvent.Kind.SUBMITTED, at=wish.submitted_at))
        if wish.reviewed_at:
            kind = (
                WishEvent.Kind.REJECTED if wish.status == Wish.Status.REJECTED else WishEvent.Kind.PUBLISHED
            )
            events.append(WishEvent(wish=wish, kind=kind, at=wish.reviewed_at, note=wish.reject_reason))
        if wish.overdue_at:
            events.append(WishEvent(wish=wish, kind=WishEvent.Kind.OVERDUE, at=wish.overdue_at))
        claims += _claims_for(rng, wish, claimants, open_claims, now)
    Claim.objects.bulk_create(claims, batch_size=1000)
    ctx.count("claims", len(claims))
    for claim in claims:
        events += _claim_events(claim)
    _settle_wishes(wishes, claims, now, events)
    Wish.objects.bulk_update(
        wishes, ["claimed_count", "status", "fulfilled_at", "finished_at"], batch_size=1000
    )
    WishEvent.objects.bulk_create(sorted(events, key=lambda e: (e.at, e.wish_id)), batch_size=2000)
    ctx.count("wish events", len(events))
    ctx.count("points entries", _points(ctx, [c for c in claims if c.status == Claim.Status.CONFIRMED]))


def _dates(rng, state, now):
    """(submitted_at, wanted_by) that make sense for a wish now in `state`."""
    today = now.date()
    if state == Wish.Status.SUBMITTED:
        submitted = now - datetime.timedelta(hours=rng.randint(1, 120))
    elif state in (Wish.Status.CONFIRMED, Wish.Status.CLOSED, Wish.Status.REJECTED):
        submitted = now - datetime.timedelta(days=rng.randint(20, 180), hours=rng.randint(0, 23))
    elif state == Wish.Status.FULFILLED:
        submitted = now - datetime.timedelta(days=rng.randint(15, 30), hours=rng.randint(0, 23))
    else:
        submitted = now - datetime.timedelta(days=rng.randint(3, 40), hours=rng.randint(0, 23))
    wanted_by = submitted.date() + datetime.timedelta(days=rng.randint(10, 60))
    if (
        state in (Wish.Status.SUBMITTED, Wish.Status.PARTLY_CLAIMED, Wish.Status.CLAIMED)
        and wanted_by <= today
    ):
        wanted_by = today + datetime.timedelta(days=rng.randint(3, 30))
    if state == Wish.Status.PUBLISHED and rng.random() < 0.75 and wanted_by <= today:
        wanted_by = today + datetime.timedelta(days=rng.randint(3, 30))
    return submitted, wanted_by


def _claimant_pool(busy_volunteers, volunteers, teams, units):
    return {
        "open": [("volunteer", v) for v in busy_volunteers]
        + [("team", t) for t in teams]
        + [("unit", u) for u in units],
        "done": [("volunteer", v) for v in volunteers]
        + [("team", t) for t in teams]
        + [("unit", u) for u in units],
    }


def _pick(rng, pool):
    roll = rng.random()
    kinds = "volunteer" if roll < 0.7 else ("team" if roll < 0.85 else "unit")
    choices = [c for c in pool if c[0] == kinds] or pool
    return rng.choice(choices)


def _claims_for(rng, wish, claimants, open_claims, now):
    state = wish.status
    if state in (Wish.Status.SUBMITTED, Wish.Status.REJECTED, Wish.Status.PUBLISHED):
        return []
    if state == Wish.Status.CLOSED and rng.random() < 0.3:
        return []  # closed by staff before anyone claimed
    count = wish.slots
    if state == Wish.Status.PARTLY_CLAIMED:
        count = rng.randint(1, wish.slots - 1)
    elif state in (Wish.Status.CONFIRMED, Wish.Status.CLOSED, Wish.Status.FULFILLED) and wish.slots > 1:
        count = rng.randint(1, wish.slots)
    working = state in (Wish.Status.PARTLY_CLAIMED, Wish.Status.CLAIMED)
    pool = claimants["open"] if working else claimants["done"]
    chosen, claims = set(), []
    start = wish.reviewed_at + datetime.timedelta(hours=rng.randint(1, 72))
    for slot in range(1, count + 1):
        for _attempt in range(20):
            kind, claimant = _pick(rng, pool)
            key = (kind, claimant.pk)
            if key in chosen or (working and open_claims.get(key, 0) >= 2):
                continue
            break
        else:
            continue
        chosen.add(key)
        claimed_at = min(
            start + datetime.timedelta(hours=rng.randint(0, 48)), now - datetime.timedelta(hours=1)
        )
        claim = Claim(
            wish=wish,
            slot_no=slot,
            claimed_by_id=_acting_user(kind, claimant),
            claimed_at=claimed_at,
            **{kind: claimant},
        )
        if working and (state == Wish.Status.CLAIMED or slot == 1 or rng.random() < 0.7):
            open_claims[key] = open_claims.get(key, 0) + 1
        else:
            _finish(rng, claim, state, now)
        claims.append(claim)
    return claims


def _acting_user(kind, claimant):
    if kind == "volunteer":
        return claimant.user_id
    if kind == "team":
        return claimant.leader.user_id
    return claimant.liaisons.all()[0].pk


def _finish(rng, claim, state, now):
    fulfilled = claim.claimed_at + datetime.timedelta(days=rng.randint(1, 8), hours=rng.randint(0, 12))
    if state == Wish.Status.FULFILLED:
        fulfilled = now - datetime.timedelta(days=rng.randint(0, 10), hours=rng.randint(1, 12))
    claim.fulfilled_at = min(fulfilled, now - datetime.timedelta(minutes=30))
    claim.fulfilment_note = rng.choice(NOTES)
    if state == Wish.Status.CONFIRMED:
        claim.status = Claim.Status.CONFIRMED
        claim.confirmed_at = min(claim.fulfilled_at + datetime.timedelta(hours=rng.randint(2, 96)), now)
        claim.rating = rng.choices((5, 4, 3, 2), (70, 22, 6, 2))[0]
        claim.comment = rng.choice(COMMENTS)
    elif state == Wish.Status.CLOSED:
        claim.status = Claim.Status.CLOSED
        claim.closed_at = min(claim.fulfilled_at + datetime.timedelta(days=15), now)
    else:
        claim.status = Claim.Status.FULFILLED


def _claim_events(claim):
    label = _label(claim)
    events = [
        WishEvent(wish=claim.wish, claim=claim, kind=WishEvent.Kind.CLAIMED, at=claim.claimed_at, note=label)
    ]
    if claim.fulfilled_at:
        events.append(
            WishEvent(
                wish=claim.wish, claim=claim, kind=WishEvent.Kind.FULFILLED, at=claim.fulfilled_at, note=label
            )
        )
    if claim.confirmed_at:
        events.append(
            WishEvent(
                wish=claim.wish,
                claim=claim,
                kind=WishEvent.Kind.CONFIRMED,
                at=claim.confirmed_at,
                note=f"评分 {claim.rating} 星",
            )
        )
    return events


def _label(claim):
    from portal.privacy import mask_name

    if claim.volunteer_id:
        return f"志愿者 {mask_name(claim.volunteer.name)}"
    return str(claim.team or claim.unit)


def _settle_wishes(wishes, claims, now, events):
    by_wish = {}
    for claim in claims:
        by_wish.setdefault(claim.wish_id, []).append(claim)
    for wish in wishes:
        mine = by_wish.get(wish.pk, [])
        wish.claimed_count = len(mine)
        if wish.status == Wish.Status.CLAIMED and len(mine) < wish.slots:
            wish.status = Wish.Status.PARTLY_CLAIMED if mine else Wish.Status.PUBLISHED
        if wish.status == Wish.Status.PARTLY_CLAIMED and not mine:
            wish.status = Wish.Status.PUBLISHED
        fulfilled = [c.fulfilled_at for c in mine if c.fulfilled_at]
        if wish.status in (Wish.Status.FULFILLED, Wish.Status.CONFIRMED, Wish.Status.CLOSED) and fulfilled:
            wish.fulfilled_at = max(fulfilled)
        if wish.status == Wish.Status.CONFIRMED:
            wish.finished_at = max(c.confirmed_at for c in mine) if mine else wish.reviewed_at
        if wish.status == Wish.Status.CLOSED:
            wish.finished_at = max(
                [c.closed_at for c in mine if c.closed_at] or [wish.reviewed_at + datetime.timedelta(days=30)]
            )
            wish.finished_at = min(wish.finished_at, now)
            note = "15 天内未确认，系统自动关闭" if mine else "居民已自行解决，社区关闭了这个心愿"
            events.append(WishEvent(wish=wish, kind=WishEvent.Kind.CLOSED, at=wish.finished_at, note=note))
        if wish.status == Wish.Status.CONFIRMED and not mine:
            wish.status = Wish.Status.PUBLISHED


def _points(ctx, confirmed):
    """The points the confirmations earned, in bulk; the ledger's unique key keeps reruns safe."""
    return points_award_bulk(
        awards=(
            Award(POINTS_RULES[type(claim.claimant)], claim.claimant, claim, claim.confirmed_at)
            for claim in confirmed
        )
    )
