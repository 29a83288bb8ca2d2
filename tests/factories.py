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
from portal.models import PersonalDataLog, StaffProfile, User
from portal.services import user_grant_role
from volunteers.models import PointsRule, Volunteer, VolunteerTeam

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
    """One of the default rules (created by a migration), by code."""
    return PointsRule.objects.get(code=code)


# --- volunteers: activities, records and the ledger ---------------------------------------------------

import datetime  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.utils import timezone  # noqa: E402

from volunteers.models import (  # noqa: E402
    Activity,
    DualReport,
    ExportMapping,
    PeriodKind,
    PointsEntry,
    PointsTotal,
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


def ensure_default_rules():
    """The rules migration 0002 creates, back if a transactional test on a reused database flushed them."""
    from importlib import import_module

    rules = import_module("volunteers.migrations.0002_default_points_rules").DEFAULT_RULES
    for code, name, kind, basis, points in rules:
        PointsRule.objects.get_or_create(
            code=code, defaults={"name": name, "subject_kind": kind, "basis": basis, "points": points}
        )


def _points_entry(community):
    from volunteers.services import points_award

    ensure_default_rules()
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
        rank=1,
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
