"""The alliances part of seed_demo: the street's alliance, committees, lists, projects, meetings."""

import pytest
from django.db.models import Count, Max, Min

from alliances import demo
from alliances.models import (
    Alliance,
    ChairTerm,
    JointMeeting,
    MeetingAttendance,
    Membership,
    MemberUnit,
    Need,
    Project,
    ProjectUpdate,
    Resource,
)
from points.models import PointsEntry
from portal.demo import demo_users, make_context
from portal.roles import Role
from tests.factories import CommunityFactory, StreetFactory


@pytest.fixture
def ctx(db):
    from django.contrib.auth.models import Group

    for role in Role:
        Group.objects.get_or_create(name=role)
    ctx = make_context(1, "street", "demo-pass")
    ctx.street = StreetFactory(name="刘家堡街道", code="S01")
    ctx.communities = [
        CommunityFactory(parent=ctx.street, name=f"社区{c:02d}社区", code=f"S01-C{c:02d}")
        for c in range(1, 13)
    ]
    ctx.street.refresh_from_db()
    demo_users(
        ctx, prefix="street", numbers=[""], role=Role.STREET_STAFF, scopes={"": ctx.street}, is_staff=True
    )
    demo_users(ctx, prefix="unit", numbers=range(1, 31), role=Role.UNIT_LIAISON)
    return ctx


def snapshot():
    models = [
        Alliance,
        Membership,
        MemberUnit,
        ChairTerm,
        Resource,
        Need,
        Project,
        ProjectUpdate,
        JointMeeting,
        MeetingAttendance,
        PointsEntry,
    ]
    return {m.__name__: m.objects.count() for m in models}


def test_it_seeds_the_street_as_the_case_reports_describe(ctx):
    demo.seed_street(ctx)
    street_alliance = Alliance.objects.get(grid=ctx.street)
    current = [m for m in street_alliance.memberships.all() if m.is_current]
    assert len(current) == 30
    assert street_alliance.memberships.filter(left_on__isnull=False).count() == 1
    assert Alliance.objects.filter(grid__in=ctx.communities).count() == 12
    assert all(Membership.objects.filter(alliance__grid=c).exists() for c in ctx.communities)
    # Unit N's liaison is the login unitN.
    for n in (1, 17, 30):
        assert MemberUnit.objects.filter(liaisons__username=f"unit{n}").count() == 1
    assert Project.objects.count() == 57
    span = Project.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert (span["last"] - span["first"]).days > 200
    assert set(Project.objects.values_list("status", flat=True)) == {
        "planned",
        "in_progress",
        "completed",
        "cancelled",
    }
    assert ProjectUpdate.objects.count() > 100
    assert Project.objects.filter(status="completed").exclude(progress_percent=100).count() == 0
    started = Project.objects.filter(status__in=["in_progress", "completed"]).annotate(n=Count("updates"))
    assert not started.filter(n=0).exists()
    for update in ProjectUpdate.objects.select_related("project"):
        assert timezone_month(update.posted_at) >= update.project.start_on.replace(day=1)
        assert update.posted_at <= ctx.now
    assert Need.objects.filter(status="open").exists() and Need.objects.filter(status="matched").exists()
    held = JointMeeting.objects.filter(alliance=street_alliance, status="held")
    assert held.count() >= 8
    assert MeetingAttendance.objects.filter(meeting__in=held).count() >= 8 * 28
    chairs = ChairTerm.objects.filter(alliance=street_alliance)
    assert chairs.values("month").annotate(n=Count("pk")).filter(n__gt=1).count() == 0
    for meeting in held:
        month = timezone_month(meeting.held_at)
        assert chairs.get(month=month).unit_id == meeting.chair_unit_id
    kinds = set(PointsEntry.objects.values_list("rule__code", flat=True))
    assert kinds == {"meeting_attended", "project_completed"}


def timezone_month(moment):
    from django.utils import timezone

    return timezone.localtime(moment).date().replace(day=1)


def test_seeding_twice_changes_nothing(ctx):
    demo.seed_street(ctx)
    first = snapshot()
    demo.seed_street(ctx)
    assert snapshot() == first


def test_a_unit_that_lost_its_liaison_is_found_again_not_duplicated(ctx):
    demo.seed_street(ctx)
    unit = MemberUnit.objects.get(liaisons__username="unit7")
    unit.liaisons.clear()
    units_before = MemberUnit.objects.count()
    demo.seed_street(ctx)
    assert MemberUnit.objects.count() == units_before
    assert MemberUnit.objects.get(liaisons__username="unit7") == unit


def test_finishing_builds_the_reports_of_the_months_the_demo_covers_once(ctx):
    from alliances.models import MonthlyReport
    from alliances.reports import last_month

    demo.seed_street(ctx)
    demo.seed_finish([ctx])
    last = last_month()
    reports = MonthlyReport.objects.all()
    assert reports.count() == 13 * demo.PROJECT_MONTHS
    assert set(reports.values_list("built_via", flat=True)) == {"demo"}
    assert max(reports.values_list("month", flat=True)) == last
    street_report = reports.get(alliance__grid=ctx.street, month=last)
    assert street_report.data["chair"] is not None
    assert street_report.data["projects"] and street_report.data["meetings"]

    demo.seed_finish([ctx])
    assert MonthlyReport.objects.count() == 13 * demo.PROJECT_MONTHS
    assert set(MonthlyReport.objects.values_list("revision", flat=True)) == {1}


def test_some_party_members_of_the_street_work_at_its_member_units(ctx):
    from tests.factories import DualReportFactory
    from volunteers.models import DualReport, Volunteer

    for n in range(20):
        DualReportFactory(
            volunteer__community=ctx.communities[n % 12],
            volunteer__name=f"党员{n}",
            volunteer__work_unit="区税务局",
        )
    demo.seed_street(ctx)
    unit_names = set(MemberUnit.objects.values_list("name", flat=True))
    at_units = Volunteer.objects.filter(work_unit__in=unit_names)
    assert at_units.count() == 8  # 40 %
    assert all(v.party_organisation for v in at_units)
    assert DualReport.objects.filter(work_unit__in=unit_names).count() == 8
