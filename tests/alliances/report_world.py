"""A month of an alliance's life, dated in March 2026, for the monthly report tests.

Street S's alliance (units A, B and S; liaisons liaison_a, liaison_b) with, around
March 2026: the chair, a held meeting with attendance and a problem, projects
before, during and after the month, needs, claims by a unit and by a party
member, service records and the units' points totals.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from alliances.models import (
    ChairTerm,
    JointMeeting,
    MeetingAttendance,
    MeetingProblem,
    MemberUnit,
    NeedStatusChange,
    ProblemFollowUp,
    ProjectStatusChange,
    ProjectUpdate,
)
from points.models import PeriodKind, PointsPeriod, PointsTotal, SubjectKind
from tests.factories import (
    ActivityFactory,
    ClaimFactory,
    MemberUnitFactory,
    NeedFactory,
    ProjectFactory,
    VolunteerFactory,
    VolunteerTeamFactory,
    WishFactory,
    record_for,
)
from wishes.models import Claim, Wish

MARCH = datetime.date(2026, 3, 1)
FEBRUARY = datetime.date(2026, 2, 1)


def at(month, day, hour=10, minute=0):
    """A local (Asia/Shanghai) time in 2026."""
    return timezone.make_aware(datetime.datetime(2026, month, day, hour, minute))


def _history(project, *steps):
    for when, frm, to, note in steps:
        ProjectStatusChange.objects.create(
            project=project, from_status=frm, to_status=to, changed_at=when, note=note
        )
    project.status = steps[-1][2]
    project.save(update_fields=["status"])


@pytest.fixture
def march(aw):
    w = aw.world
    alliance = aw.street_alliance
    ChairTerm.objects.create(alliance=alliance, month=MARCH, unit=aw.unit_s)
    meeting = JointMeeting.objects.create(
        alliance=alliance,
        title="2026年3月联席会议",
        held_at=at(3, 12, 14, 30),
        place="党群服务中心",
        chair_unit=aw.unit_s,
        agenda="通报项目进展",
        minutes="会议由街道供电所主持。",
        status=JointMeeting.Status.HELD,
    )
    MeetingAttendance.objects.create(meeting=meeting, unit=aw.unit_a, status="present", attendee="李明")
    MeetingAttendance.objects.create(meeting=meeting, unit=aw.unit_b, status="excused")
    MeetingAttendance.objects.create(meeting=meeting, unit=aw.unit_s, status="present", attendee="王芳")
    JointMeeting.objects.create(  # February's meeting is not March's business
        alliance=alliance,
        title="2026年2月联席会议",
        held_at=at(2, 12, 14, 30),
        chair_unit=aw.unit_b,
        agenda="议程",
        status=JointMeeting.Status.HELD,
    )

    # A project under way since February, with progress posted in March.
    classroom = ProjectFactory(
        alliance=alliance,
        community=w.community_a,
        lead_unit=aw.unit_a,
        title="四点半课堂",
        created_at=at(2, 10),
    )
    classroom.partner_units.add(aw.unit_b)
    _history(
        classroom,
        (at(2, 10), "", "planned", "匹配立项"),
        (at(2, 15), "planned", "in_progress", "发布首条进展"),
    )
    ProjectUpdate.objects.create(
        project=classroom,
        unit=aw.unit_a,
        posted_by=w.street_staff,
        posted_at=at(2, 15),
        text="二月开课",
        progress_percent=30,
    )
    ProjectUpdate.objects.create(
        project=classroom,
        unit=aw.unit_a,
        posted_by=w.street_staff,
        posted_at=at(3, 20),
        text="三月开展两次课后辅导",
        progress_percent=60,
    )
    ProjectUpdate.objects.create(  # April: after the month, not in it
        project=classroom,
        unit=aw.unit_a,
        posted_by=w.street_staff,
        posted_at=at(4, 2),
        text="四月",
        progress_percent=80,
    )
    # A project completed in March.
    lights = ProjectFactory(
        alliance=alliance,
        community=w.community_b,
        lead_unit=aw.unit_b,
        title="楼道照明改造",
        created_at=at(1, 5),
    )
    _history(
        lights,
        (at(1, 5), "", "planned", "匹配立项"),
        (at(1, 9), "planned", "in_progress", "发布首条进展"),
        (at(3, 25), "in_progress", "completed", "验收合格"),
    )
    ProjectUpdate.objects.create(
        project=lights,
        unit=aw.unit_b,
        posted_by=w.street_staff,
        posted_at=at(1, 9),
        text="开工",
        progress_percent=20,
    )
    # A project finished in February: left out of March.
    done = ProjectFactory(
        alliance=alliance, community=w.community_a, lead_unit=aw.unit_s, title="反诈宣讲", created_at=at(1, 3)
    )
    _history(
        done,
        (at(1, 3), "", "planned", "匹配立项"),
        (at(1, 4), "planned", "in_progress", "开始"),
        (at(2, 20), "in_progress", "completed", "验收合格"),
    )
    # A project of the other street: never in this alliance's report.
    ProjectFactory(
        alliance=aw.other_alliance,
        community=w.community_c,
        lead_unit=aw.unit_c,
        title="民主社区助餐",
        created_at=at(2, 1),
    )

    # Needs of the street's communities.
    matched = NeedFactory(
        community=w.community_a, title="四点半课堂教室", raised_on=datetime.date(2026, 2, 1)
    )
    NeedStatusChange.objects.create(need=matched, to_status="open", changed_at=at(2, 1))
    NeedStatusChange.objects.create(
        need=matched, from_status="open", to_status="matched", changed_at=at(3, 5)
    )
    hot = NeedFactory(
        community=w.community_b, title="电动车充电设施", priority="hot", raised_on=datetime.date(2026, 2, 20)
    )
    NeedStatusChange.objects.create(need=hot, to_status="open", changed_at=at(2, 20))
    later = NeedFactory(
        community=w.community_b, title="四月才提出的需求", raised_on=datetime.date(2026, 4, 3)
    )
    NeedStatusChange.objects.create(need=later, to_status="open", changed_at=at(4, 3))
    NeedFactory(community=w.community_c, title="别的街道的需求", raised_on=datetime.date(2026, 2, 1))

    # Party members: one of unit B (work unit written with full-width brackets and spaces),
    # one of another employer, and a resident who is no party member.
    aw.unit_b.name = "金港医院(东院)"
    aw.unit_b.save(update_fields=["name"])
    doctor = VolunteerFactory(
        community=w.community_b, name="张医生", is_party_member=True, work_unit=" 金港医院（东院） "
    )
    teacher = VolunteerFactory(
        community=w.community_a, name="刘老师", is_party_member=True, work_unit="区教育局"
    )
    resident = VolunteerFactory(community=w.community_a, name="赵阿姨", work_unit="金港医院(东院)")

    # Claims: unit A claims and fulfils one wish in March; the doctor claims one.
    wish_a = WishFactory(grid=w.grid_a, status=Wish.Status.FULFILLED, claimed_count=1)
    ClaimFactory(
        wish=wish_a,
        volunteer=None,
        unit=aw.unit_a,
        claimed_by=aw.liaison_a,
        claimed_at=at(3, 8),
        status=Claim.Status.FULFILLED,
        fulfilled_at=at(3, 18),
    )
    wish_b = WishFactory(grid=w.grid_b, status=Wish.Status.CLAIMED, claimed_count=1)
    ClaimFactory(wish=wish_b, volunteer=doctor, claimed_by=w.street_staff, claimed_at=at(3, 9))
    wish_c = WishFactory(grid=w.grid_b, status=Wish.Status.CLAIMED, claimed_count=1)
    ClaimFactory(wish=wish_c, volunteer=resident, claimed_by=w.street_staff, claimed_at=at(3, 9))

    # Service: the doctor's verified 3.5 hours count, unverified hours and others' do not.
    team = VolunteerTeamFactory(community=w.community_b)
    clinic = ActivityFactory(
        team=team, starts_at=at(3, 14, 9), ends_at=at(3, 14, 13), signup_opens_at=at(3, 1)
    )
    record_for(clinic, doctor, hours="3.5", verified_by=w.street_staff)
    record_for(clinic, teacher, hours="4.0", verified_by=w.street_staff)
    record_for(clinic, resident, hours="4.0", verified_by=w.street_staff)
    later_clinic = ActivityFactory(
        team=team, starts_at=at(3, 28, 9), ends_at=at(3, 28, 11), signup_opens_at=at(3, 1)
    )
    record_for(later_clinic, doctor, hours="2.0")  # not verified yet

    # The rollup's totals for March.
    unit_type = ContentType.objects.get_for_model(MemberUnit)
    PointsPeriod.objects.create(
        kind=PeriodKind.MONTH, start=MARCH, computed_at=at(4, 1, 0, 10), closed_at=at(4, 1, 0, 10)
    )
    # A unit of the street outside the alliance ranks between the two: ranks are the street's.
    outsider = MemberUnitFactory(grid=w.street, name="街道外卖站", kind="merchant")
    for unit, points in ((aw.unit_a, "12.00"), (outsider, "8.00"), (aw.unit_s, "5.00")):
        PointsTotal.objects.create(
            period_kind=PeriodKind.MONTH,
            period_start=MARCH,
            street=w.street,
            grid=unit.grid,
            subject_kind=SubjectKind.UNIT,
            subject_type=unit_type,
            subject_id=unit.pk,
            points=Decimal(points),
            entries=2,
            last_at=at(3, 20),
        )

    # A problem raised at the meeting, in progress at the end of March.
    problem = MeetingProblem.objects.create(
        meeting=meeting,
        description="学校门口上下学时段交通拥堵",
        raised_by_unit=aw.unit_a,
        owner_unit=aw.unit_s,
        due_on=datetime.date(2026, 4, 15),
        created_at=at(3, 12, 15),
    )
    ProblemFollowUp.objects.create(problem=problem, status="in_progress", note="已与交警对接", at=at(3, 20))
    problem.status = "in_progress"
    problem.save(update_fields=["status"])

    return SimpleNamespace(
        aw=aw,
        alliance=alliance,
        meeting=meeting,
        classroom=classroom,
        lights=lights,
        done=done,
        matched=matched,
        hot=hot,
        doctor=doctor,
        problem=problem,
    )
