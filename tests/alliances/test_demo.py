"""The alliances part of seed_demo: the street's alliance, committees, lists, projects, meetings."""

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
