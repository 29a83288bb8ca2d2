"""factory_boy factories for every model, plus the scoped-object registry.

`SCOPED_OBJECT_MAKERS` maps each scoped model to a function that creates one
object inside a given community; the generic scoping tests use it to prove the
one scoping rule on every admin screen. A new scoped model adds itself here.
"""

import itertools

import factory
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType

from alliances.models import MemberUnit
from grids import services as grid_services
from grids.models import Building, Grid, GridAssignment, Household, Resident, Visit
from points.models import PointsRule
from portal.models import PersonalDataLog, StaffProfile, User
from portal.services import user_grant_role
from volunteers.models import Volunteer, VolunteerTeam

_codes = itertools.count(1)


def _code(prefix):
    return f"{prefix}{next(_codes):04d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-12345")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


def make_user(role=None, scope=None, **kwargs):
    """A user holding `role` (a portal.roles.Role) with `scope` (a grid node)."""
    user = UserFactory(**kwargs)
    if role is not None:
        Group.objects.get_or_create(name=role)
        user_grant_role(user=user, role=role, scope=scope)
    return user


class GridFactory(factory.django.DjangoModelFactory):
    """Creates nodes through the service, so the tree lock and rules apply."""

    class Meta:
        model = Grid

    name = factory.Sequence(lambda n: f"节点{n}")
    kind = Grid.Kind.STREET
    parent = None
    code = factory.LazyFunction(lambda: _code("T"))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return grid_services.grid_create(**kwargs)


class StreetFactory(GridFactory):
    name = factory.Sequence(lambda n: f"测试{n}街道")
    kind = Grid.Kind.STREET


class CommunityFactory(GridFactory):
    name = factory.Sequence(lambda n: f"测试{n}社区")
    kind = Grid.Kind.COMMUNITY
    parent = factory.SubFactory(StreetFactory)


class GridNodeFactory(GridFactory):
    name = factory.Sequence(lambda n: f"第{n}网格")
    kind = Grid.Kind.GRID
    parent = factory.SubFactory(CommunityFactory)


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    grid = factory.SubFactory(GridNodeFactory)
    name = factory.Sequence(lambda n: f"{n}号楼")
    units = 2
    floors = 6


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    building = factory.SubFactory(BuildingFactory)
    unit = "1"
    room = factory.Sequence(lambda n: f"{100 + n}")
    head_name = factory.Sequence(lambda n: f"住户{n}")
    phone = "13812348000"
    id_number = "11010519491231002X"
    category = Household.Category.GENERAL


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"居民{n}")
    relation = Resident.Relation.CHILD


class GridAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GridAssignment

    person = factory.SubFactory(UserFactory)
    role = GridAssignment.Role.GRID_WORKER
    grid = factory.SubFactory(GridNodeFactory)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    household = factory.SubFactory(HouseholdFactory)
    visitor = factory.SubFactory(UserFactory)
    method = Visit.Method.IN_PERSON
    findings = "情况良好"


def first_grid(community):
    grid = community.get_children().first()
    return grid if grid is not None else GridNodeFactory(parent=community)


def _personal_data_log(community):
    household = HouseholdFactory(building__grid=first_grid(community))
    return PersonalDataLog.objects.create(
        actor=None,
        actor_username="someone",
        action=PersonalDataLog.Action.VIEW,
        subject_type=ContentType.objects.get_for_model(Household),
        subject_id=str(household.pk),
        subject_label=str(household),
        fields="phone",
        grid=household.grid,
    )


def _staff_profile_user(community):
    user = UserFactory(username=_code("profile"))
    StaffProfile.objects.create(user=user, scope=community)
    return user


SCOPED_OBJECT_MAKERS = {
    Grid: lambda community: first_grid(community),
    Building: lambda community: BuildingFactory(grid=first_grid(community)),
    Household: lambda community: HouseholdFactory(building__grid=first_grid(community)),
    Resident: lambda community: ResidentFactory(household__building__grid=first_grid(community)),
    GridAssignment: lambda community: GridAssignmentFactory(grid=first_grid(community)),
    Visit: lambda community: VisitFactory(household__building__grid=first_grid(community)),
    PersonalDataLog: _personal_data_log,
    User: _staff_profile_user,
}


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    name = factory.Sequence(lambda n: f"志愿者{n}")
    phone = "13912345678"
    community = factory.SubFactory(CommunityFactory)


class VolunteerTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerTeam

    name = factory.Sequence(lambda n: f"志愿服务队{n}")
    community = factory.SubFactory(CommunityFactory)


class MemberUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberUnit

    name = factory.Sequence(lambda n: f"驻区单位{n}")
    kind = MemberUnit.Kind.ENTERPRISE
    grid = factory.SubFactory(StreetFactory)


def points_rule(code):
    """One of the district's default rules (created by a migration), by code."""
    return PointsRule.objects.get(code=code, street__isnull=True)


# --- alliances -------------------------------------------------------------------------

import datetime as _datetime  # noqa: E402

from alliances.models import (  # noqa: E402
    Alliance,
    ChairTerm,
    JointMeeting,
    MeetingProblem,
    Membership,
    Need,
    Project,
    ProjectUpdate,
    Resource,
    ResourceKind,
)
from reports.models import MonthlyReport  # noqa: E402


class AllianceFactory(factory.django.DjangoModelFactory):
    """One alliance per grid node: the street's alliance or a community's committee."""

    class Meta:
        model = Alliance
        django_get_or_create = ("grid",)

    grid = factory.SubFactory(StreetFactory)
    name = factory.LazyAttribute(
        lambda o: (
            f"{o.grid.name}区域党建联盟"
            if o.grid.kind == Grid.Kind.STREET
            else f"{o.grid.name}区域化党委委员会"
        )
    )
    covenant = "一、资源共享；二、活动共办；三、难题共解。"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    alliance = factory.SubFactory(AllianceFactory)
    unit = factory.SubFactory(MemberUnitFactory, grid=factory.SelfAttribute("..alliance.grid"))
    joined_on = _datetime.date(2024, 1, 1)


def member_of(alliance, **kwargs):
    """A new unit that is a member of `alliance` (located at the alliance's node)."""
    joined_on = kwargs.pop("joined_on", _datetime.date(2024, 1, 1))
    unit = MemberUnitFactory(grid=alliance.grid, **kwargs)
    Membership.objects.create(alliance=alliance, unit=unit, joined_on=joined_on)
    return unit


class ChairTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChairTerm

    alliance = factory.SubFactory(AllianceFactory)
    unit = factory.LazyAttribute(lambda o: member_of(o.alliance))
    month = _datetime.date(2026, 1, 1)


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    unit = factory.SubFactory(MemberUnitFactory)
    kind = ResourceKind.VENUE
    title = factory.Sequence(lambda n: f"资源{n}")
    quantity = 1


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"需求{n}")
    kind = ResourceKind.VENUE


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    community = factory.SubFactory(CommunityFactory)
    alliance = factory.LazyAttribute(lambda o: AllianceFactory(grid=o.community))
    lead_unit = factory.LazyAttribute(lambda o: member_of(o.alliance))
    title = factory.Sequence(lambda n: f"微项目{n}")


class ProjectUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectUpdate

    project = factory.SubFactory(ProjectFactory)
    posted_by = factory.SubFactory(UserFactory)
    text = "完成了第一次活动。"


class JointMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JointMeeting

    alliance = factory.SubFactory(AllianceFactory)
    chair_unit = factory.LazyAttribute(lambda o: member_of(o.alliance))
    title = factory.Sequence(lambda n: f"联席会议{n}")
    held_at = factory.LazyFunction(lambda: _datetime.datetime(2026, 3, 12, 14, 30, tzinfo=_datetime.UTC))
    agenda = "通报项目进展；研究热点需求。"


class MeetingProblemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingProblem

    meeting = factory.SubFactory(JointMeetingFactory)
    description = "小区停车难"
    owner_name = "王主任"


# --- volunteers: activities, records and the ledger ---------------------------------------------------

import datetime  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.utils import timezone  # noqa: E402

from points.models import PeriodKind, PointsEntry, PointsTotal  # noqa: E402
from volunteers.models import (  # noqa: E402
    Activity,
    DualReport,
    ExportMapping,
    ServiceRecord,
    ServiceStatement,
    SignUp,
    TeamMembership,
)


class ActivityFactory(factory.django.DjangoModelFactory):
    """An activity tomorrow, open for sign-up now."""

    class Meta:
        model = Activity

    title = factory.Sequence(lambda n: f"志愿服务活动{n}")
    team = factory.SubFactory(VolunteerTeamFactory)
    community = factory.LazyAttribute(lambda o: o.team.community)
    place = "红色驿站"
    category = Activity.Category.ELDERLY
    content = "陪伴老人，打扫卫生"
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=3))
    capacity = 10
    signup_opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    signup_closes_at = factory.LazyAttribute(lambda o: o.starts_at)


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(VolunteerTeamFactory)
    volunteer = factory.SubFactory(VolunteerFactory, community=factory.SelfAttribute("..team.community"))
    status = TeamMembership.Status.ACTIVE


class DualReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DualReport

    volunteer = factory.SubFactory(VolunteerFactory, is_party_member=True, work_unit="区人民医院")
    community = factory.LazyAttribute(lambda o: o.volunteer.community)
    work_unit = factory.LazyAttribute(lambda o: o.volunteer.work_unit)
    reported_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    status = DualReport.Status.REPORTED


def record_for(activity, volunteer, hours="3.0", verified_by=None):
    """A checked-out record of `volunteer` at `activity` (verified when `verified_by` is given)."""
    return ServiceRecord.objects.create(
        activity=activity,
        volunteer=volunteer,
        team=activity.team,
        community=activity.community,
        service_date=timezone.localdate(activity.starts_at),
        place=activity.place,
        content=activity.title,
        started_at=activity.starts_at,
        ended_at=activity.ends_at,
        hours=Decimal(hours),
        source=ServiceRecord.Source.ORGANISER,
        verified_by=verified_by,
        verified_at=timezone.now() if verified_by else None,
    )


def _activity_in(community):
    return ActivityFactory(team=VolunteerTeamFactory(community=community))


def _signup(community):
    activity = _activity_in(community)
    return SignUp.objects.create(activity=activity, volunteer=VolunteerFactory(community=community))


def _record(community):
    activity = _activity_in(community)
    return record_for(activity, VolunteerFactory(community=community))


def _statement(community):
    volunteer = VolunteerFactory(community=community)
    return ServiceStatement.objects.create(
        volunteer=volunteer,
        period_from=timezone.localdate(),
        period_to=timezone.localdate(),
        records=0,
        hours=0,
        issuer="测试平台",
        issued_by=UserFactory(),
    )


def _points_entry(community):
    from points.services import points_award

    return points_award(
        rule_code="visit_logged", subject=VolunteerFactory(community=community), source=VisitFactory()
    )


def _points_total(community):
    volunteer = VolunteerFactory(community=community)
    return PointsTotal.objects.create(
        period_kind=PeriodKind.MONTH,
        period_start=timezone.localdate().replace(day=1),
        street=community.get_root(),
        grid=community,
        subject_kind="person",
        subject_type=ContentType.objects.get_for_model(volunteer),
        subject_id=volunteer.pk,
        points=Decimal("3"),
        entries=1,
        last_at=timezone.now(),
    )


def monthly_report_in(alliance, month=_datetime.date(2026, 3, 1)):
    """A stored report without building it (the builder has its own tests)."""
    return MonthlyReport.objects.create(
        alliance=alliance,
        month=month,
        schema_version=1,
        data={"schema": 1},
        built_at=timezone.now(),
        built_via=MonthlyReport.BuiltVia.COMMAND,
    )


SCOPED_OBJECT_MAKERS.update(
    {
        MemberUnit: lambda community: MemberUnitFactory(grid=community),
        Alliance: lambda community: AllianceFactory(grid=community),
        ChairTerm: lambda community: ChairTermFactory(alliance=AllianceFactory(grid=community)),
        Resource: lambda community: ResourceFactory(unit=MemberUnitFactory(grid=community)),
        Need: lambda community: NeedFactory(community=community),
        Project: lambda community: ProjectFactory(community=community),
        ProjectUpdate: lambda community: ProjectUpdateFactory(project=ProjectFactory(community=community)),
        JointMeeting: lambda community: JointMeetingFactory(alliance=AllianceFactory(grid=community)),
        MeetingProblem: lambda community: MeetingProblemFactory(
            meeting=JointMeetingFactory(alliance=AllianceFactory(grid=community))
        ),
    }
)
SCOPED_OBJECT_MAKERS[MonthlyReport] = lambda community: monthly_report_in(AllianceFactory(grid=community))


# --- micro-wishes ------------------------------------------------------------------------


from wishes.models import Claim, Wish, new_tracking_code  # noqa: E402


def _community_of(grid):
    return grid if grid.kind == Grid.Kind.COMMUNITY else grid.parent


class WishFactory(factory.django.DjangoModelFactory):
    """A submitted wish; pass status=Wish.Status.PUBLISHED (and slots=) for one on the wall."""

    class Meta:
        model = Wish

    code = factory.LazyFunction(new_tracking_code)
    grid = factory.SubFactory(GridNodeFactory)
    community = factory.LazyAttribute(lambda o: _community_of(o.grid))
    name = "王秀英"
    # A number per wish: the public form allows a few wishes per number a day.
    phone = factory.Sequence(lambda n: f"1370000{n % 10000:04d}")
    category = Wish.Category.DAILY
    text = "希望有人帮忙修理家里漏水的水龙头"
    public_text = factory.LazyAttribute(lambda o: "" if o.status == Wish.Status.SUBMITTED else o.text)
    wanted_by = factory.LazyFunction(lambda: timezone.localdate() + timezone.timedelta(days=30))
    submitted_at = factory.LazyFunction(timezone.now)
    status = Wish.Status.SUBMITTED


class ClaimFactory(factory.django.DjangoModelFactory):
    """A live claim by a volunteer; keep the wish's claimed_count in step when it matters."""

    class Meta:
        model = Claim

    wish = factory.SubFactory(WishFactory, status=Wish.Status.CLAIMED, claimed_count=1)
    volunteer = factory.SubFactory(VolunteerFactory)
    slot_no = 1
    claimed_by = factory.SubFactory(UserFactory)
    claimed_at = factory.LazyFunction(timezone.now)


SCOPED_OBJECT_MAKERS[Wish] = lambda community: WishFactory(grid=first_grid(community))
SCOPED_OBJECT_MAKERS[Claim] = lambda community: ClaimFactory(
    wish__grid=first_grid(community), volunteer__community=community
)


SCOPED_OBJECT_MAKERS.update(
    {
        VolunteerTeam: lambda community: VolunteerTeamFactory(community=community),
        Volunteer: lambda community: VolunteerFactory(community=community),
        TeamMembership: lambda community: TeamMembershipFactory(team__community=community),
        DualReport: lambda community: DualReportFactory(volunteer__community=community),
        Activity: _activity_in,
        SignUp: _signup,
        ServiceRecord: _record,
        ServiceStatement: _statement,
        ExportMapping: lambda community: ExportMapping.objects.create(
            name=_code("模板"), owner=community, columns=[["姓名", "name"]]
        ),
        PointsEntry: _points_entry,
        PointsTotal: _points_total,
    }
)


# --- inbox ------------------------------------------------------------------------------------------

from inbox.models import Channel, Delivery, Kind, Notification  # noqa: E402


class NotificationFactory(factory.django.DjangoModelFactory):
    """A notification to a user (pass phone= and recipient=None for a resident)."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = Kind.CLAIM_CONFIRMED
    params = factory.LazyFunction(lambda: {"text": "帮忙修水龙头", "rating": 5})
    link = "/me/"
    key = factory.Sequence(lambda n: f"test:{n}")
    created_at = factory.LazyFunction(timezone.now)


def _notification_in(community):
    return NotificationFactory(grid=first_grid(community))


SCOPED_OBJECT_MAKERS[Notification] = _notification_in
SCOPED_OBJECT_MAKERS[Delivery] = lambda community: Delivery.objects.create(
    notification=_notification_in(community),
    channel=Channel.SMS,
    address="13912345678",
    created_at=timezone.now(),
)


# --- care -------------------------------------------------------------------------------------------

from care.models import Pairing  # noqa: E402


class PairingFactory(factory.django.DjangoModelFactory):
    """A cadre's pairing with a vulnerable household (pass volunteer= and partner_kind= for others)."""

    class Meta:
        model = Pairing

    household = factory.SubFactory(HouseholdFactory, category=Household.Category.SOLITARY)
    partner_kind = Pairing.PartnerKind.CADRE
    partner = factory.SubFactory(UserFactory)


SCOPED_OBJECT_MAKERS[Pairing] = lambda community: PairingFactory(
    household__building__grid=first_grid(community)
)


# --- grid cases --------------------------------------------------------------------------


def case_category_in(street, name="环境卫生"):
    from cases.models import Category

    return Category.objects.get_or_create(street=street, name=name)[0]


def case_in(community, **kwargs):
    """A resident's case in the community's first grid, waiting at the grid (no services: a plain row)."""
    from django.utils import timezone

    from cases.models import Case
    from wishes.models import new_tracking_code

    values = {
        "code": new_tracking_code(),
        "grid": first_grid(community),
        "community": community,
        "street": community.parent,
        "category": case_category_in(community.parent),
        "source": "resident",
        "description": "楼道堆放杂物需要清理",
        "reported_at": timezone.now(),
        **kwargs,
    }
    return Case.objects.create(**values)


def _case_department_in(community):
    from cases.models import Department

    return Department.objects.create(street=community.parent, name=_code("部门"))


def _register_case_makers():
    from cases.models import Case as GridCase
    from cases.models import CaseEvent, Category, Department

    SCOPED_OBJECT_MAKERS[GridCase] = case_in
    SCOPED_OBJECT_MAKERS[CaseEvent] = lambda community: CaseEvent.objects.create(
        case=case_in(community), action="report", at=case_in(community).reported_at
    )
    SCOPED_OBJECT_MAKERS[Category] = lambda community: case_category_in(community.parent, _code("类别"))
    SCOPED_OBJECT_MAKERS[Department] = _case_department_in


_register_case_makers()


def api_key_in(community):
    """An Open311 API key scoped to the community (a plain row: the key itself is never needed)."""
    from django.utils import timezone

    from cases.open311.models import ApiKey

    return ApiKey.objects.create(
        name=_code("应用"),
        prefix=_code("k")[:8],
        key_hash="0" * 64,
        owner=UserFactory(),
        scope=community,
        created_at=timezone.now(),
    )


def _register_open311_makers():
    from cases.open311.models import ApiKey

    SCOPED_OBJECT_MAKERS[ApiKey] = api_key_in


_register_open311_makers()


# --- posts (认岗) and deliberation ---------------------------------------------------------


def post_in(community, **kwargs):
    from care.models import Post

    values = {
        "kind": Post.Kind.HELP,
        "title": _code("岗位"),
        "duties": "看望老人",
        "place": "1号楼",
        "capacity": 3,
    }
    return Post.objects.create(community=community, **{**values, **kwargs})


def post_claim_in(community):
    from care.models import PostClaim

    volunteer = VolunteerFactory(community=community, is_party_member=True)
    post = post_in(community)
    return PostClaim.objects.create(post=post, volunteer=volunteer, community=community)


def post_service_in(community):
    import datetime as _dt
    from decimal import Decimal

    from care.models import PostService

    claim = post_claim_in(community)
    return PostService.objects.create(
        claim=claim, community=community, served_on=_dt.date.today(), hours=Decimal("1"), content="看望"
    )


def topic_in(community, **kwargs):
    from deliberation.models import Topic
    from wishes.models import new_tracking_code

    values = {
        "code": new_tracking_code(),
        "title": "3号楼加装电梯",
        "description": "楼里老人多，上下楼困难，想一起商量加装电梯。",
        "source": Topic.Source.RESIDENT,
        "status": Topic.Status.ACCEPTED,
    }
    return Topic.objects.create(community=community, **{**values, **kwargs})


def session_in(community, **kwargs):
    from django.utils import timezone

    from deliberation.models import Session

    values = {
        "kind": Session.Kind.COUNCIL,
        "held_at": timezone.now(),
        "place": "社区议事厅",
        "record": "大家讨论了加装电梯的费用分摊。",
    }
    return Session.objects.create(topic=topic_in(community), community=community, **{**values, **kwargs})


def resolution_in(community):
    import datetime as _dt

    from deliberation.models import Resolution

    topic = topic_in(community, status="resolved")
    return Resolution.objects.create(
        topic=topic,
        community=community,
        text="联系电梯公司上门测量",
        owner=make_user(username=_code("owner")),
        due_date=_dt.date.today() + _dt.timedelta(days=30),
    )


def vote_in(community):
    from deliberation.models import Vote

    session = session_in(community, vote_question="是否同意加装电梯", vote_open=True)
    household = HouseholdFactory(building=BuildingFactory(grid=first_grid(community)))
    return Vote.objects.create(session=session, household=household, choice="yes", via="session")


def _register_care_and_deliberation_makers():
    from care.models import Post, PostClaim, PostService
    from deliberation.models import Resolution, Session, Topic, Vote

    SCOPED_OBJECT_MAKERS[Post] = post_in
    SCOPED_OBJECT_MAKERS[PostClaim] = post_claim_in
    SCOPED_OBJECT_MAKERS[PostService] = post_service_in
    SCOPED_OBJECT_MAKERS[Topic] = topic_in
    SCOPED_OBJECT_MAKERS[Session] = session_in
    SCOPED_OBJECT_MAKERS[Resolution] = resolution_in
    SCOPED_OBJECT_MAKERS[Vote] = vote_in


_register_care_and_deliberation_makers()
