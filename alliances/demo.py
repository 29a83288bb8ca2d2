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

import datetime
from decimal import Decimal

from django.utils import timezone

from alliances import services
from alliances.models import (
    Alliance,
    ChairTerm,
    JointMeeting,
    MeetingAttendance,
    MeetingProblem,
    Membership,
    MemberUnit,
    Need,
    NeedStatusChange,
    ProblemFollowUp,
    Project,
    ProjectStatusChange,
    ProjectUpdate,
    Resource,
    ResourceKind,
)
from portal.models import User
from portal.months import add_months, month_start

UNITS = 30
PROJECTS = 57
PROJECT_MONTHS = 8
NEEDS_PER_COMMUNITY = 8
# Share of the street's in-service party members whose work unit is one of its member units.

K = MemberUnit.Kind
# (name, kind, where): where is "street" or a community number; {s} is the street's
# short name, {c} the community's.
UNIT_SPECS = [
    ("{s}派出所", K.AGENCY, "street"),
    ("{s}司法所", K.AGENCY, "street"),
    ("{s}市场监管所", K.AGENCY, "street"),
    ("国网{s}供电所", K.ENTERPRISE, "street"),
    ("中国银行{s}支行", K.ENTERPRISE, "street"),
    ("{s}社会工作服务中心", K.SOCIAL, "street"),
    ("{c}小学", K.SCHOOL, 1),
    ("{c}大药房", K.MERCHANT, 1),
    ("区第二人民医院", K.HOSPITAL, 2),
    ("{c}农贸市场", K.MERCHANT, 2),
    ("{c}中学", K.SCHOOL, 3),
    ("{c}物业服务公司", K.ENTERPRISE, 3),
    ("{c}社区卫生服务站", K.HOSPITAL, 4),
    ("{c}老年协会", K.SOCIAL, 4),
    ("{c}幼儿园", K.SCHOOL, 5),
    ("{c}便民超市", K.MERCHANT, 5),
    ("{s}税务分局", K.AGENCY, 6),
    ("{c}志愿者协会", K.SOCIAL, 6),
    ("中国邮政{c}支局", K.ENTERPRISE, 7),
    ("{c}餐饮店", K.MERCHANT, 7),
    ("{s}消防救援站", K.AGENCY, 8),
    ("{c}物业服务公司", K.ENTERPRISE, 8),
    ("市第十一中学", K.SCHOOL, 9),
    ("{c}家电维修部", K.MERCHANT, 9),
    ("{c}口腔诊所", K.HOSPITAL, 10),
    ("{c}红十字服务站", K.SOCIAL, 10),
    ("{s}燃气服务站", K.ENTERPRISE, 11),
    ("{c}书店", K.MERCHANT, 11),
    ("{c}律师事务所", K.SOCIAL, 12),
    ("{c}商务酒店", K.MERCHANT, 12),
]
FORMER_UNIT = ("{s}原建材市场", K.MERCHANT)

R = ResourceKind
RESOURCES_BY_UNIT_KIND = {
    K.AGENCY: [
        (R.SKILLS, "法律和反诈宣讲", 12, "场"),
        (R.VOLUNTEERS, "在职党员志愿者", 20, "人"),
        (R.VENUE, "会议室", 1, "间"),
    ],
    K.ENTERPRISE: [
        (R.FUNDS, "共建资金", 30000, "元"),
        (R.VOLUNTEERS, "职工志愿服务队", 25, "人"),
        (R.EQUIPMENT, "应急照明和发电设备", 4, "套"),
        (R.VENUE, "职工之家", 1, "间"),
    ],
    K.SCHOOL: [
        (R.VENUE, "操场和教室（周末开放）", 3, "间"),
        (R.VOLUNTEERS, "教师志愿者", 15, "人"),
        (R.SKILLS, "课后辅导", 20, "次"),
    ],
    K.HOSPITAL: [
        (R.SKILLS, "义诊和健康讲座", 12, "场"),
        (R.EQUIPMENT, "血压血糖检测设备", 6, "台"),
        (R.VOLUNTEERS, "医护志愿者", 10, "人"),
    ],
    K.SOCIAL: [
        (R.VOLUNTEERS, "社工和志愿者", 30, "人"),
        (R.SKILLS, "心理疏导和个案服务", 10, "次"),
        (R.FUNDS, "公益项目资金", 10000, "元"),
    ],
    K.MERCHANT: [
        (R.FUNDS, "爱心捐助", 5000, "元"),
        (R.EQUIPMENT, "便民服务设施", 2, "套"),
        (R.VENUE, "店面活动区", 1, "处"),
    ],
}
NEEDS_BY_KIND = {
    R.VENUE: ["老年助餐点场地", "四点半课堂教室", "居民议事厅", "文艺队排练场地", "青少年暑期活动场所"],
    R.FUNDS: ["困难家庭助学金", "老旧楼道照明改造", "独居老人节日慰问", "加装电梯前期补助", "小区停车位划线"],
    R.SKILLS: ["法律咨询进社区", "老年人防诈骗讲座", "家电义务维修", "心理健康讲座", "慢性病健康管理"],
    R.VOLUNTEERS: ["独居老人定期探访", "背街小巷环境整治", "垃圾分类督导", "助老陪诊服务", "文明交通劝导"],
    R.EQUIPMENT: ["社区应急广播", "健身器材更新", "电动车集中充电设施", "楼道消防器材", "社区血压检测点"],
}
COVENANT = """第一条 联盟成员单位坚持党建引领，共驻共建、资源共享、优势互补、共同发展。
第二条 各成员单位如实登记本单位可提供的场地、资金、技能、志愿者和设备资源，并及时更新。
第三条 围绕辖区需求清单认领项目，按期报送项目进展，接受群众评议。
第四条 按月轮值主席单位召集联席会议，成员单位应派员参加，因故不能参加须提前请假。
第五条 会上提出的问题明确责任单位和办结期限，办理情况在下次会议通报。
第六条 在职党员到居住社区报到，参加志愿服务。
第七条 本公约自签署之日起施行。"""
AGENDAS = [
    "一、通报上月项目清单进展；二、研究本月热点需求的认领；三、轮值主席单位作工作交流。",
    "一、学习上级有关党建引领基层治理的文件；二、审议新增需求与资源匹配建议；三、部署本月志愿服务。",
    "一、通报微心愿认领和完成情况；二、协调项目推进中的困难；三、议定下月联席会议轮值安排。",
]
MINUTES = [
    "会议由轮值主席单位{chair}主持。各单位通报了项目进展，对本月新增需求逐项研究，明确了牵头单位和完成时限。",
    "轮值主席单位{chair}介绍了共建经验。会议听取了热点需求办理情况汇报，对进展滞后的项目提出督办意见。",
    "会议由{chair}主持，通报了上次会议问题的办理情况，研究了新提出的问题并明确了责任单位。",
]
PROBLEMS = [
    "小区夜间照明不足，老人出行不便",
    "学校门口上下学时段交通拥堵",
    "部分楼道堆放杂物存在消防隐患",
    "农贸市场周边占道经营反弹",
    "独居老人就医缺少陪护",
    "老旧小区雨季下水不畅",
    "电动车飞线充电屡禁不止",
    "部分项目资金拨付进度慢",
]
FOLLOW_UPS = [
    "已与相关部门对接，制定整改方案。",
    "已安排专人现场查看，正在协调施工。",
    "已完成整改，居民反映良好。",
]
UPDATE_TEXTS = [
    "完成前期摸底，走访居民 {n} 户，确定了服务对象名单。",
    "开展第一次集中服务活动，服务居民 {n} 人次。",
    "协调场地和人员，活动按计划推进，本次服务 {n} 人次。",
    "邀请社区党员参加，完成阶段任务，收集居民意见 {n} 条。",
    "总结前期做法，优化服务流程，本期受益居民 {n} 人。",
]


def seed_street(ctx):
    units = _units(ctx)
    street = ctx.street
    if Alliance.objects.filter(grid=street).exists():
        return
    staff = User.objects.filter(username="street" if ctx.index == 1 else f"street{ctx.index}").first()
    now = timezone.localtime(ctx.now)
    today = now.date()
    former = _former_unit(ctx)
    street_alliance, committees = _alliances(ctx, units, former, today)
    first_month = add_months(month_start(today), -PROJECT_MONTHS)
    for alliance in [street_alliance, *committees]:
        services.chair_schedule_generate(alliance=alliance, start=first_month, months=PROJECT_MONTHS + 4)
    resources = _resources(ctx, units, today)
    needs = _needs(ctx, today, staff)
    _projects(ctx, needs, resources, street_alliance, committees, staff, now)
    _meetings(ctx, street_alliance, committees, staff, now)


def _short(name, suffix):
    return name[: -len(suffix)] if name.endswith(suffix) else name


def _units(ctx):
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
    street_short = _short(ctx.street.name, "街道")
    new_units, links = [], []
    for n, (pattern, kind, where) in enumerate(UNIT_SPECS, 1):
        if logins[n] in linked:
            continue
        grid = ctx.street if where == "street" else ctx.communities[where - 1]
        name = pattern.format(s=street_short, c=_short(grid.name, "社区"))
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


def _former_unit(ctx):
    name = FORMER_UNIT[0].format(s=_short(ctx.street.name, "街道"))
    unit, _created = MemberUnit.objects.get_or_create(
        grid=ctx.street, name=name, defaults={"kind": FORMER_UNIT[1], "party_organisation": f"{name}党支部"}
    )
    return unit


def _alliances(ctx, units, former, today):
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


def _resources(ctx, units, today):
    rng = ctx.rng_for("resources")
    resources = []
    for unit in units:
        offers = RESOURCES_BY_UNIT_KIND[unit.kind]
        community = unit.grid if unit.grid_id != ctx.street.pk else None
        for kind, title, quantity, measure in offers[: rng.randint(2, len(offers))]:
            limited = rng.random() < 0.25
            resources.append(
                Resource(
                    unit=unit,
                    kind=kind,
                    title=title,
                    quantity=quantity,
                    quantity_unit=measure,
                    # Money and skills serve the whole street; places and people their community.
                    community=None if kind in (R.FUNDS, R.SKILLS) else community,
                    available_from=today - datetime.timedelta(days=rng.randint(200, 400)),
                    available_until=today + datetime.timedelta(days=rng.randint(20, 90)) if limited else None,
                    description=f"{unit.name}提供的{title}，需提前一周与联络员预约。",
                )
            )
    Resource.objects.bulk_create(resources)
    ctx.count("resources", len(resources))
    return resources


def _needs(ctx, today, staff):
    rng = ctx.rng_for("needs")
    needs = []
    for community in ctx.communities:
        titles = [(kind, title) for kind, names in NEEDS_BY_KIND.items() for title in names]
        for kind, title in rng.sample(titles, NEEDS_PER_COMMUNITY):
            raised = today - datetime.timedelta(days=rng.randint(3, 30 * PROJECT_MONTHS + 20))
            needs.append(
                Need(
                    community=community,
                    title=title,
                    kind=kind,
                    quantity=rng.choice([None, 1, 2, 5, 10]),
                    priority=Need.Priority.HOT if rng.random() < 0.25 else Need.Priority.GENERAL,
                    raised_on=raised,
                    wanted_by=raised + datetime.timedelta(days=rng.randint(30, 150)),
                    raised_by=staff,
                    description=f"{community.name}居民反映：{title}。",
                )
            )
    Need.objects.bulk_create(needs)
    NeedStatusChange.objects.bulk_create(
        [
            NeedStatusChange(
                need=need,
                from_status="",
                to_status=Need.Status.OPEN,
                changed_at=_at(need.raised_on, 9),
                changed_by=staff,
                note="登记需求",
            )
            for need in needs
        ]
    )
    ctx.count("needs", len(needs))
    return needs


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute))


def _projects(ctx, needs, resources, street_alliance, committees, staff, now):
    """57 projects matched from the oldest needs, over the last 8 months, with their histories."""
    rng = ctx.rng_for("projects")
    today = now.date()
    earliest = today - datetime.timedelta(days=30 * PROJECT_MONTHS)
    committee_of = {c.grid_id: c for c in committees}
    committee_members = {
        (m.alliance_id, m.unit_id)
        for m in Membership.objects.filter(alliance__in=committees).only("alliance", "unit")
    }
    liaison_of = {
        row.memberunit_id: row.user_id
        for row in MemberUnit.liaisons.through.objects.filter(memberunit__in={r.unit_id for r in resources})
    }
    members = [r.unit for r in resources]
    candidates = sorted(
        (n for n in needs if n.raised_on >= earliest - datetime.timedelta(days=20)), key=lambda n: n.raised_on
    )
    chosen = rng.sample(candidates, min(PROJECTS, len(candidates)))
    chosen.sort(key=lambda n: n.raised_on)
    projects, plans = [], []
    for i, need in enumerate(chosen):
        same_kind = [r for r in resources if r.kind == need.kind]
        local = [r for r in same_kind if r.community_id in (need.community_id, None)]
        resource = rng.choice(local or same_kind)
        committee = committee_of[need.community_id]
        alliance = committee if (committee.pk, resource.unit_id) in committee_members else street_alliance
        created = max(
            _at(need.raised_on, 10) + datetime.timedelta(days=rng.randint(2, 20)), _at(earliest, 10)
        )
        created = min(created, now - datetime.timedelta(days=2))
        age = (now - created).days
        duration = rng.randint(35, 110)
        if i in (7, 31):
            status = Project.Status.CANCELLED
        elif age > duration + 5:
            status = Project.Status.COMPLETED
        elif age > 12:  # the first update comes within 11 days of the creation
            status = Project.Status.IN_PROGRESS
        else:
            status = Project.Status.PLANNED
        start = (created + datetime.timedelta(days=rng.randint(1, 6))).date()
        completed = (
            created + datetime.timedelta(days=duration, hours=rng.randint(0, 6))
            if status == "completed"
            else None
        )
        project = Project(
            title=need.title,
            description=f"{resource.unit.name}以“{resource.title}”对接{need.community.name}的需求：{need.title}。",
            alliance=alliance,
            community_id=need.community_id,
            need=need,
            resource=resource,
            lead_unit=resource.unit,
            budget=Decimal(rng.randrange(2000, 60000, 500)),
            start_on=start,
            end_on=start + datetime.timedelta(days=duration),
            status=status,
            completed_at=completed,
            created_by=staff,
            created_at=created,
        )
        projects.append(project)
        plans.append((need, project, created, duration, liaison_of.get(resource.unit_id)))
    Project.objects.bulk_create(projects)
    partners = []
    for project in projects:
        others = [u for u in rng.sample(members, 4) if u.pk != project.lead_unit_id]
        for unit in others[: rng.randint(0, 2)]:
            partners.append(Project.partner_units.through(project_id=project.pk, memberunit_id=unit.pk))
    Project.partner_units.through.objects.bulk_create(partners, ignore_conflicts=True)
    _project_histories(ctx, rng, plans, staff, now)
    for project in projects:
        if project.status == Project.Status.COMPLETED:
            services.award_project_points(project)
    ctx.count("projects", len(projects))


def _project_histories(ctx, rng, plans, staff, now):
    changes, need_changes, updates = [], [], []
    need_updates = []
    for need, project, created, duration, liaison in plans:
        changes.append(
            _change(ProjectStatusChange, project=project, to="planned", at=created, by=staff, note="匹配立项")
        )
        need_changes.append(
            _change(
                NeedStatusChange,
                need=need,
                frm="open",
                to="matched",
                at=created,
                by=staff,
                note=f"立项：{project.title}",
            )
        )
        need.status, need.matched_at = Need.Status.MATCHED, created
        if project.status == Project.Status.PLANNED:
            need_updates.append(need)
            continue
        end = project.completed_at or now
        if project.status == Project.Status.CANCELLED:
            end = created + datetime.timedelta(days=rng.randint(15, 40))
        when = _at(project.start_on, 10) + datetime.timedelta(
            days=rng.randint(1, 5), minutes=rng.randint(0, 300)
        )
        progress, first = 0, None
        while when < end and when < now:
            first = first or when
            share = (when - created) / datetime.timedelta(days=duration)
            progress = max(progress, min(95, int(share * 100) // 5 * 5 + 10))
            updates.append(
                ProjectUpdate(
                    project=project,
                    unit=project.lead_unit,
                    posted_by_id=liaison or staff.pk,
                    posted_at=when,
                    text=rng.choice(UPDATE_TEXTS).format(n=rng.randint(12, 160)),
                    progress_percent=progress,
                )
            )
            when += datetime.timedelta(days=rng.randint(12, 28), hours=rng.randint(0, 8))
        first = first or created + datetime.timedelta(days=1)
        changes.append(
            _change(
                ProjectStatusChange,
                project=project,
                frm="planned",
                to="in_progress",
                at=first,
                by=staff,
                note="发布首条进展",
            )
        )
        if project.status == Project.Status.COMPLETED:
            updates.append(
                ProjectUpdate(
                    project=project,
                    unit=project.lead_unit,
                    posted_by_id=liaison or staff.pk,
                    posted_at=project.completed_at - datetime.timedelta(hours=2),
                    text="项目全部完成，已提交验收材料。",
                    progress_percent=100,
                )
            )
            changes.append(
                _change(
                    ProjectStatusChange,
                    project=project,
                    frm="in_progress",
                    to="completed",
                    at=project.completed_at,
                    by=staff,
                    note="验收合格",
                )
            )
            need_changes.append(
                _change(
                    NeedStatusChange,
                    need=need,
                    frm="matched",
                    to="closed",
                    at=project.completed_at,
                    by=staff,
                    note=f"项目完成：{project.title}",
                )
            )
            need.status, need.closed_at = Need.Status.CLOSED, project.completed_at
            need.close_reason = f"项目完成：{project.title}"
            project.progress_percent = 100
        elif project.status == Project.Status.CANCELLED:
            changes.append(
                _change(
                    ProjectStatusChange,
                    project=project,
                    frm="in_progress",
                    to="cancelled",
                    at=end,
                    by=staff,
                    note="场地改建，项目暂停",
                )
            )
            need_changes.append(
                _change(
                    NeedStatusChange,
                    need=need,
                    frm="matched",
                    to="open",
                    at=end,
                    by=staff,
                    note=f"项目取消：{project.title}",
                )
            )
            need.status = Need.Status.OPEN
            project.progress_percent = progress
        else:
            project.progress_percent = progress
        need_updates.append(need)
    ProjectStatusChange.objects.bulk_create(changes)
    NeedStatusChange.objects.bulk_create(need_changes)
    ProjectUpdate.objects.bulk_create(updates, batch_size=1000)
    Need.objects.bulk_update(need_updates, ["status", "matched_at", "closed_at", "close_reason"])
    Project.objects.bulk_update([p for _n, p, *_ in plans], ["progress_percent"])
    ctx.count("project updates", len(updates))


def _change(model, *, to, at, by, note, frm="", **subject):
    return model(**subject, from_status=frm, to_status=to, changed_at=at, changed_by=by, note=note)


def _second_thursday(month):
    day = month + datetime.timedelta(days=(3 - month.weekday()) % 7 + 7)
    return day


def _meetings(ctx, street_alliance, committees, staff, now):
    """Monthly meetings of the street's alliance; every other month for each committee."""
    rng = ctx.rng_for("meetings")
    first = add_months(month_start(now.date()), -PROJECT_MONTHS)
    chairs = {
        (t.alliance_id, t.month): t.unit_id
        for t in ChairTerm.objects.filter(alliance__in=[street_alliance, *committees])
    }
    members = {}
    for m in Membership.objects.filter(alliance__in=[street_alliance, *committees]).select_related("unit"):
        members.setdefault(m.alliance_id, []).append(m)
    places = {street_alliance.pk: f"{ctx.street.name}党群服务中心"}
    meetings = []
    for offset in range(PROJECT_MONTHS + 1):
        month = add_months(first, offset)
        for alliance in [street_alliance, *committees]:
            if alliance is not street_alliance and (offset + alliance.pk) % 2:
                continue
            day = _second_thursday(month) + datetime.timedelta(days=0 if alliance is street_alliance else 7)
            held_at = _at(day, 14 if alliance is street_alliance else 15, 30)
            held = held_at < now
            meetings.append(
                JointMeeting(
                    alliance=alliance,
                    title=f"{month.year}年{month.month}月联席会议",
                    held_at=held_at,
                    place=places.get(alliance.pk, f"{alliance.grid.address or alliance.grid.name}"),
                    chair_unit_id=chairs[(alliance.pk, month)],
                    agenda=rng.choice(AGENDAS),
                    status=JointMeeting.Status.HELD if held else JointMeeting.Status.PLANNED,
                    recorded_at=held_at + datetime.timedelta(days=1) if held else None,
                    recorded_by=staff if held else None,
                )
            )
    JointMeeting.objects.bulk_create(meetings)
    unit_names = {m.unit_id: m.unit.name for ms in members.values() for m in ms}
    attendance, problems = [], []
    for meeting in meetings:
        if meeting.status != JointMeeting.Status.HELD:
            continue
        meeting.minutes = rng.choice(MINUTES).format(chair=unit_names.get(meeting.chair_unit_id, ""))
        day = timezone.localtime(meeting.held_at).date()
        present = [m for m in members[meeting.alliance_id] if m.is_member_on(day)]
        for m in present:
            roll = rng.random()
            status = (
                "present"
                if roll < 0.86 or m.unit_id == meeting.chair_unit_id
                else "excused"
                if roll < 0.96
                else "absent"
            )
            attendance.append(
                MeetingAttendance(
                    meeting=meeting, unit=m.unit, status=status, attendee=_attendee(rng, status)
                )
            )
        count = rng.randint(1, 3) if meeting.alliance_id == street_alliance.pk else rng.randint(0, 1)
        for _ in range(count):
            owner = rng.choice(present).unit
            problems.append(
                MeetingProblem(
                    meeting=meeting,
                    description=rng.choice(PROBLEMS),
                    raised_by_unit=rng.choice(present).unit,
                    owner_unit=owner,
                    owner_name=f"{owner.name}联络员",
                    due_on=day + datetime.timedelta(days=rng.choice([15, 30, 45])),
                    created_at=meeting.held_at,
                )
            )
    JointMeeting.objects.bulk_update(meetings, ["minutes"])
    MeetingAttendance.objects.bulk_create(attendance, batch_size=1000)
    _follow_ups(rng, problems, staff, now)
    for meeting in meetings:
        services.award_meeting_points(meeting)
    ctx.count("joint meetings", len(meetings))
    ctx.count("meeting problems", len(problems))


def _attendee(rng, status):
    if status != "present":
        return ""
    from portal.demo import person_name

    return person_name(rng)


def _follow_ups(rng, problems, staff, now):
    follow_ups = []
    for problem in problems:
        age = (now - problem.created_at).days
        if age > 60:
            steps = [("in_progress", FOLLOW_UPS[0], 10), ("resolved", FOLLOW_UPS[2], rng.randint(20, 50))]
        elif age > 20:
            steps = [("in_progress", rng.choice(FOLLOW_UPS[:2]), rng.randint(5, 15))]
        else:
            steps = []
        for status, note, days in steps:
            at = problem.created_at + datetime.timedelta(days=days)
            follow_ups.append((problem, ProblemFollowUp(status=status, note=note, by=staff, at=at)))
            problem.status = status
            problem.resolved_at = at if status == "resolved" else None
    MeetingProblem.objects.bulk_create(problems)
    for problem, follow_up in follow_ups:
        follow_up.problem = problem
    ProblemFollowUp.objects.bulk_create([f for _p, f in follow_ups])
