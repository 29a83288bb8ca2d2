"""Demo data for one street: 25 volunteer teams, ~1,500 volunteers (one for every
`volunteerN` login, the 891 party members with their 双报到 records), eight
months of activities with sign-ups, attendance and ~13,000 service
person-times, and the points they earned.

Runs after grids (it needs the street, its residents and the volunteer
logins) and alliances (some party members work at its member units), and
before wishes, which finds each login's Volunteer.
Everything is written in bulk; each part checks whether it is already there.
"""

import datetime

from django.utils import timezone

from alliances.models import MemberUnit
from grids.models import Resident
from points.services import Award, points_award_bulk
from portal.demo import mobile
from portal.models import StaffProfile, User
from portal.validators import id_number_check_char
from volunteers import services
from volunteers.models import (
    Activity,
    DualReport,
    ServiceRecord,
    SignUp,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
)

VOLUNTEER_LOGINS = 200  # the logins grids/demo.py creates per street
PARTY_LOGINS = 60  # volunteer1…60 are party members; 1…25 lead the teams
OTHER_VOLUNTEERS = 450  # residents who volunteer without a login
ACTIVITY_DAYS = 240  # eight months
TARGET_PERSON_TIMES = 13_000
UNVERIFIED_DAYS = 4  # the last few days' hours still wait for verification

TEAM_KINDS = ("银龄", "巾帼", "青年", "邻里守望", "文明实践", "助残", "平安", "环保")
WORK_UNITS = (
    "区人民政府办公室",
    "区人民医院",
    "区妇幼保健院",
    "市第三十一中学",
    "区实验小学",
    "区税务局",
    "公安分局",
    "区教育局",
    "区市场监督管理局",
    "区卫生健康局",
    "国网供电公司城区分公司",
    "中国银行城关支行",
    "兰州银行七里河支行",
    "中国移动城区分公司",
    "市自来水公司",
    "石化公司机关",
    "交通大学",
    "城市学院",
    "中铁建设集团",
    "区司法局",
    "区民政局",
    "区人社局",
    "区住建局",
    "街道办事处",
)
ACTIVITY_TEMPLATES = (
    (Activity.Category.ELDERLY, "走访慰问空巢老人", "上门陪伴聊天，打扫卫生，了解老人需求并登记。"),
    (Activity.Category.ELDERLY, "助老理发义剪", "为辖区高龄老人免费理发，行动不便的上门服务。"),
    (Activity.Category.HEALTH, "义诊与健康讲座", "测量血压血糖，讲解慢病管理和合理用药。"),
    (Activity.Category.HEALTH, "家庭医生签约宣传", "在红色驿站设点宣传家庭医生签约服务。"),
    (Activity.Category.LAW, "法律咨询进社区", "律师志愿者现场解答婚姻家庭、劳动用工等法律问题。"),
    (Activity.Category.LAW, "反诈宣传", "入户和设点宣传防范电信网络诈骗知识，发放宣传册。"),
    (Activity.Category.SAFETY, "消防安全隐患排查", "协助检查楼道堆物、电动车充电和燃气使用安全。"),
    (Activity.Category.SAFETY, "平安巡逻", "夜间在小区和沿街商铺巡逻，劝导不文明行为。"),
    (Activity.Category.ENVIRONMENT, "垃圾分类督导", "在投放点值守，指导居民正确分类投放。"),
    (Activity.Category.ENVIRONMENT, "清洁家园", "清理小区死角垃圾、小广告和楼道杂物。"),
    (Activity.Category.EDUCATION, "四点半课堂", "为双职工家庭的孩子辅导作业、组织阅读。"),
    (Activity.Category.EDUCATION, "老年智能手机培训", "教老人使用健康码、视频通话和网上缴费。"),
    (Activity.Category.CULTURE, "文艺演出服务", "协助社区文艺汇演的场地布置和秩序维护。"),
    (Activity.Category.CIVILITY, "文明交通劝导", "在路口协助交警劝导行人和非机动车遵守交通规则。"),
)
START_TIMES = ((8, 30), (9, 0), (9, 30), (14, 0), (14, 30), (15, 0), (19, 0))


def seed_street(ctx):
    street = ctx.street
    if not Volunteer.objects.filter(community__in=ctx.communities).exists():
        _volunteers(ctx)
    else:
        _volunteers_for_new_logins(ctx)
    if not VolunteerTeam.objects.filter(community__tree_id=street.tree_id).exists():
        _teams(ctx)
    if not DualReport.objects.filter(community__in=ctx.communities).exists():
        _dual_reports(ctx)
        party_members_at_units(ctx)
    if not Activity.objects.filter(community__tree_id=street.tree_id).exists():
        _activities(ctx)


PARTY_MEMBERS_AT_UNITS = 0.4  # of the in-service party members, working at a member unit


# --- people -------------------------------------------------------------------------------------


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


def _volunteers(ctx):
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


def _volunteers_for_new_logins(ctx):
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


# --- teams and 双报到 ----------------------------------------------------------------------------------


def _teams(ctx):
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


def _dual_reports(ctx):
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


# --- activities, attendance, records, points -------------------------------------------------------------


class _People:
    """Who comes to a team's activities: its members first, then anyone, the keen ones more often."""

    def __init__(self, ctx, rng):
        self.rng = rng
        self.everyone = list(
            Volunteer.objects.filter(community__in=ctx.communities).select_related("community").order_by("pk")
        )
        # A few keen volunteers serve far more often than most: they are the stars.
        weight = {v.pk: rng.choice((1, 1, 1, 2, 2, 3, 5, 8)) for v in self.everyone}
        self.pool = [v.pk for v in self.everyone for _ in range(weight[v.pk])]
        self.members = {}
        for m in TeamMembership.objects.filter(team__community__tree_id=ctx.street.tree_id, status="active"):
            self.members.setdefault(m.team_id, []).append(m.volunteer_id)
        self.by_pk = {v.pk: v for v in self.everyone}
        self.busy = set()  # (volunteer id, day): one activity a day each

    def pick(self, team, day, count):
        chosen, tries = [], 0
        members = self.members.get(team.pk, [])
        while len(chosen) < count and tries < count * 8:
            tries += 1
            if members and self.rng.random() < 0.6:
                pk = self.rng.choice(members)
            else:
                pk = self.rng.choice(self.pool)
            if (pk, day) in self.busy or pk in chosen:
                continue
            self.busy.add((pk, day))
            chosen.append(pk)
        return [self.by_pk[pk] for pk in chosen]


def _activities(ctx):
    rng = ctx.rng_for("activities")
    # In creation order: team 1, led by volunteer1, gets today's activity.
    teams = list(
        VolunteerTeam.objects.filter(community__tree_id=ctx.street.tree_id)
        .select_related("leader__user")
        .order_by("pk")
    )
    people = _People(ctx, rng)
    secretaries = {
        p.scope_id: p.user
        for p in StaffProfile.objects.filter(scope__in=ctx.communities + [ctx.street]).select_related("user")
    }
    plan = _plan(ctx, rng, teams)
    activities = [a for a, _fill in plan]
    Activity.objects.bulk_create(activities, batch_size=1000)
    signups, records = [], []
    for activity, fill in plan:
        _attend(ctx, rng, people, secretaries, activity, fill, signups, records)
    SignUp.objects.bulk_create(signups, batch_size=5000)
    for activity in activities:
        activity.signed_up_count = sum(1 for s in activity._signups if s.status == "active")
    Activity.objects.bulk_update(activities, ["signed_up_count"], batch_size=1000)
    ServiceRecord.objects.bulk_create(records, batch_size=5000)
    entries = _points(ctx, records)
    ctx.count("activities", len(activities))
    ctx.count("sign-ups", len(signups))
    ctx.count("service person-times", sum(1 for r in records if r.hours > 0))
    ctx.count("points entries", entries)


def _plan(ctx, rng, teams):
    """(activity, share of places taken) for eight months past and two weeks ahead."""
    today = timezone.localdate(ctx.now)
    per_day = TARGET_PERSON_TIMES / ACTIVITY_DAYS / 20.5  # ~20 serve at an average activity
    plan = []
    for offset in range(-ACTIVITY_DAYS, 15):
        day = today + datetime.timedelta(days=offset)
        count = int(per_day) + (1 if rng.random() < per_day % 1 else 0)
        for _ in range(count):
            plan.append(_activity(ctx, rng, rng.choice(teams), day))
    # One running today for team 1 (volunteer1 leads it), ready for check-in.
    now = timezone.localtime(ctx.now)
    start = now.replace(minute=0, second=0, microsecond=0) - datetime.timedelta(minutes=30)
    plan.append(_activity(ctx, rng, teams[0], start.date(), start=start, hours=3, capacity=15))
    return [(a, _fill(rng, a, ctx.now)) for a in plan]


def _activity(ctx, rng, team, day, start=None, hours=None, capacity=None):
    category, title, content = rng.choice(ACTIVITY_TEMPLATES)
    if start is None:
        hour, minute = rng.choice(START_TIMES)
        start = timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute))
    hours = hours or rng.choice((1.5, 2, 2, 2.5, 3, 3, 4))
    community = team.community if team.community.parent_id else rng.choice(ctx.communities)
    return Activity(
        title=title,
        team=team,
        community=community,
        place=rng.choice(
            (f"{community.name}红色驿站", f"{community.name}党群服务中心", f"{community.name}小区广场")
        ),
        category=category,
        content=content,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=hours),
        capacity=capacity or rng.choice((10, 15, 20, 20, 25, 30, 30, 40)),
        signup_opens_at=start - datetime.timedelta(days=rng.randint(5, 12)),
        signup_closes_at=start - datetime.timedelta(hours=rng.choice((1, 2, 12))),
        created_by=team.leader.user if team.leader and team.leader.user else None,
    )


def _fill(rng, activity, now):
    if activity.starts_at > now + datetime.timedelta(days=3):
        return rng.uniform(0.1, 0.7)
    if rng.random() < 0.15:
        return 1.0
    return rng.uniform(0.75, 1.0)


def _attend(ctx, rng, people, secretaries, activity, fill, signups, records):
    day = timezone.localdate(activity.starts_at)
    wanted = max(1, round(activity.capacity * fill))
    chosen = people.pick(activity.team, day, wanted)
    activity._signups = []
    for volunteer in chosen:
        signup = SignUp(
            activity=activity,
            volunteer=volunteer,
            signed_up_at=activity.signup_opens_at
            + (activity.signup_closes_at - activity.signup_opens_at) * rng.random(),
        )
        if rng.random() < 0.04 and activity.starts_at > ctx.now:
            signup.status, signup.cancelled_at = (
                "cancelled",
                signup.signed_up_at + datetime.timedelta(hours=5),
            )
        activity._signups.append(signup)
        signups.append(signup)
    if activity.starts_at > ctx.now:
        return
    running = activity.ends_at > ctx.now
    leader = activity.team.leader
    for signup in activity._signups:
        record = _record(ctx, rng, activity, signup.volunteer, running)
        if record is None:
            continue
        if not running and activity.ends_at < ctx.now - datetime.timedelta(days=UNVERIFIED_DAYS):
            own = leader is not None and leader.pk == signup.volunteer.pk
            verifier = secretaries.get(activity.community_id) if own or not leader else leader.user
            record.verified_by = verifier or secretaries.get(ctx.street.pk)
            delay = datetime.timedelta(hours=rng.randint(1, 72))
            record.verified_at = min(activity.ends_at + delay, ctx.now)
        records.append(record)


def _record(ctx, rng, activity, volunteer, running):
    record = ServiceRecord(
        activity=activity,
        volunteer=volunteer,
        team=activity.team,
        community=activity.community,
        service_date=timezone.localdate(activity.starts_at),
        place=activity.place,
        content=f"{activity.get_category_display()}：{activity.title}",
        source=rng.choice(("qr", "qr", "qr", "organiser")),
        recorded_by=activity.created_by,
        recorded_at=activity.starts_at,
    )
    roll = rng.random()
    if running:
        if roll < 0.4:
            return None  # not here yet
        record.started_at = activity.starts_at + datetime.timedelta(minutes=rng.randint(-20, 10))
        return record
    if roll < 0.02:
        record.attendance, record.source = "leave", "organiser"
        return record
    if roll < 0.04:
        record.attendance, record.source = "absent", "organiser"
        return record
    late = roll > 0.96
    record.attendance = "late" if late else "normal"
    record.started_at = activity.starts_at + datetime.timedelta(
        minutes=rng.randint(20, 50) if late else rng.randint(-20, 5)
    )
    record.ended_at = activity.ends_at + datetime.timedelta(
        minutes=rng.randint(-30, 0) if rng.random() < 0.1 else 0
    )
    record.hours = services.service_hours(activity, record.started_at, record.ended_at)
    return record


def _points(ctx, records):
    """activity_hour points for the verified hours, booked when verified, as the service does."""
    return points_award_bulk(
        awards=(
            Award("activity_hour", r.volunteer, r, r.verified_at, r.hours)
            for r in records
            if r.verified_at is not None and r.hours > 0
        )
    )


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
