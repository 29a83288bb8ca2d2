"""Joint meetings: the month's chair, attendance with points, problems and their follow-up."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from alliances import services
from alliances.models import ChairTerm, JointMeeting, MeetingAttendance, MeetingProblem, ProblemFollowUp
from points.models import PointsEntry, PointsTotal
from tests.alliances.conftest import join
from tests.factories import MemberUnitFactory

HELD = datetime.datetime(2026, 3, 12, 6, 30, tzinfo=datetime.UTC)
AFTER = HELD + datetime.timedelta(hours=3)


@pytest.fixture
def meeting(aw):
    services.chair_schedule_generate(alliance=aw.street_alliance, start=datetime.date(2026, 1, 1), months=6)
    return services.meeting_schedule(
        alliance=aw.street_alliance, held_at=HELD, agenda="通报三月项目进展", actor=aw.world.street_staff
    )


def everyone(aw, status="present"):
    return {unit.pk: (status, "") for unit in (aw.unit_a, aw.unit_b, aw.unit_s)}


@pytest.fixture
def held(aw, meeting):
    return services.meeting_record(
        meeting=meeting, actor=aw.world.street_staff, attendance=everyone(aw), minutes="纪要", now=AFTER
    )


def test_a_meeting_needs_a_chair_schedule_first(aw):
    with pytest.raises(ValidationError, match="请先在联盟页面生成轮值表"):
        services.meeting_schedule(
            alliance=aw.street_alliance, held_at=HELD, agenda="议程", actor=aw.world.street_staff
        )
    assert not JointMeeting.objects.exists()


def test_recording_attendance_awards_present_units_once(aw, meeting):
    attendance = everyone(aw)
    attendance[aw.unit_b.pk] = ("excused", "")
    services.meeting_record(
        meeting=meeting, actor=aw.world.street_staff, attendance=attendance, minutes="纪要", now=AFTER
    )
    meeting.refresh_from_db()
    assert meeting.status == JointMeeting.Status.HELD and meeting.recorded_by == aw.world.street_staff
    entries = PointsEntry.objects.all()
    assert sorted(e.subject_id for e in entries) == sorted([aw.unit_a.pk, aw.unit_s.pk])
    assert {e.rule.code for e in entries} == {"meeting_attended"}
    assert all(e.occurred_at == HELD for e in entries)
    assert services.award_meeting_points(meeting) == []  # idempotent
    assert PointsEntry.objects.count() == 2
    with pytest.raises(ValidationError, match="不能再次记录"):
        services.meeting_record(
            meeting=meeting, actor=aw.world.street_staff, attendance=attendance, minutes="再记", now=AFTER
        )
    assert MeetingAttendance.objects.count() == 3 and PointsEntry.objects.count() == 2


def test_every_member_of_the_day_must_be_listed_and_no_one_else(aw, meeting):
    partial = everyone(aw)
    del partial[aw.unit_s.pk]
    with pytest.raises(ValidationError, match="街道供电所"):
        services.meeting_record(
            meeting=meeting, actor=aw.world.street_staff, attendance=partial, minutes="纪要", now=AFTER
        )
    extra = {**everyone(aw), aw.unit_c.pk: ("present", "")}
    with pytest.raises(ValidationError, match="不是该联盟成员"):
        services.meeting_record(
            meeting=meeting, actor=aw.world.street_staff, attendance=extra, minutes="纪要", now=AFTER
        )
    assert not MeetingAttendance.objects.exists() and not PointsEntry.objects.exists()


def test_units_that_left_before_the_meeting_are_not_on_the_list(aw, meeting, world):
    gone = MemberUnitFactory(grid=world.street, name="已退出单位")
    join(aw.street_alliance, gone, datetime.date(2024, 1, 1), left_on=datetime.date(2026, 2, 1))
    assert {m.unit for m in services.meeting_members(meeting)} == {aw.unit_a, aw.unit_b, aw.unit_s}


def test_a_meeting_cannot_be_recorded_before_it_is_held(aw, meeting):
    with pytest.raises(ValidationError, match="还没有召开"):
        services.meeting_record(
            meeting=meeting,
            actor=aw.world.street_staff,
            attendance=everyone(aw),
            minutes="纪要",
            now=HELD - datetime.timedelta(days=1),
        )


def test_recording_from_the_page(aw, meeting, login):
    JointMeeting.objects.filter(pk=meeting.pk).update(held_at=timezone.now() - datetime.timedelta(hours=2))
    client = login(aw.world.street_staff)
    url = reverse("alliances:meeting_record", args=[meeting.pk])
    assert "兰苑小学" in client.get(url).content.decode()
    data = {f"status_{u.pk}": "present" for u in (aw.unit_a, aw.unit_b, aw.unit_s)}
    data[f"attendee_{aw.unit_a.pk}"] = "张校长"
    response = client.post(url, {**data, "minutes": ""})
    assert response.status_code == 400 and not MeetingAttendance.objects.exists()
    response = client.post(url, {**data, "minutes": "会议研究了三件事。"})
    assert response.status_code == 302
    assert MeetingAttendance.objects.get(unit=aw.unit_a).attendee == "张校长"
    assert PointsEntry.objects.count() == 3


def test_problems_have_an_owner_and_dated_follow_ups(aw, held, login):
    problem = services.problem_raise(
        meeting=held,
        actor=aw.world.street_staff,
        description="学校门口早高峰拥堵",
        owner_unit=aw.unit_a,
        raised_by_unit=aw.unit_b,
        due_on=datetime.date(2026, 4, 30),
    )
    client = login(aw.liaison_a)
    url = reverse("alliances:problem_follow_up", args=[problem.pk])
    client.post(url, {"status": "in_progress", "note": "已与交警中队对接"})
    client.post(url, {"status": "resolved", "note": "增设了护学岗"})
    problem.refresh_from_db()
    assert problem.status == MeetingProblem.Status.RESOLVED and problem.resolved_at is not None
    assert [f.status for f in ProblemFollowUp.objects.filter(problem=problem)] == ["in_progress", "resolved"]
    with pytest.raises(ValidationError, match="已经办结"):
        services.problem_follow_up(
            problem=problem, actor=aw.world.street_staff, status="in_progress", note="再跟进"
        )


def test_a_problem_needs_an_owner_from_the_alliance(aw, held):
    with pytest.raises(ValidationError, match="责任单位或责任人"):
        services.problem_raise(meeting=held, actor=aw.world.street_staff, description="问题")
    with pytest.raises(ValidationError, match="不是该联盟的成员单位"):
        services.problem_raise(
            meeting=held, actor=aw.world.street_staff, description="问题", owner_unit=aw.unit_c
        )
    assert not MeetingProblem.objects.exists()


@pytest.mark.parametrize("who, status", [("liaison_b", 403), ("liaison_c", 404), ("other_staff", 404)])
def test_only_the_owner_unit_or_staff_follow_up(aw, held, login, who, status):
    problem = services.problem_raise(
        meeting=held, actor=aw.world.street_staff, description="停车难", owner_unit=aw.unit_a
    )
    client = login(getattr(aw, who))
    response = client.post(
        reverse("alliances:problem_follow_up", args=[problem.pk]), {"status": "resolved", "note": "x"}
    )
    assert response.status_code == status
    problem.refresh_from_db()
    assert problem.status == MeetingProblem.Status.OPEN and not ProblemFollowUp.objects.exists()


def test_a_member_liaison_reads_the_meeting_but_cannot_record_it(aw, meeting, login):
    client = login(aw.liaison_b)
    assert client.get(reverse("alliances:meeting_detail", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("alliances:meeting_record", args=[meeting.pk])).status_code == 403
    assert (
        client.post(reverse("alliances:meeting_cancel", args=[meeting.pk]), {"reason": "x"}).status_code
        == 403
    )
    assert (
        client.post(reverse("alliances:problem_new", args=[meeting.pk]), {"description": "x"}).status_code
        == 403
    )


@pytest.mark.parametrize("who", ["liaison_c", "other_staff", "secretary_a"])
def test_outsiders_do_not_find_the_meeting(aw, meeting, login, who):
    client = login(getattr(aw, who, None) or getattr(aw.world, who))
    for name in ("meeting_detail", "meeting_record"):
        assert client.get(reverse(f"alliances:{name}", args=[meeting.pk])).status_code == 404
    assert (
        client.post(reverse("alliances:meeting_cancel", args=[meeting.pk]), {"reason": "x"}).status_code
        == 404
    )
    assert client.get(reverse("alliances:meeting_new", args=[aw.street_alliance.pk])).status_code == 404


def test_scheduling_from_the_page_takes_the_months_chair(aw, login):
    services.chair_schedule_generate(alliance=aw.street_alliance, start=datetime.date(2026, 1, 1), months=6)
    response = login(aw.world.street_staff).post(
        reverse("alliances:meeting_new", args=[aw.street_alliance.pk]),
        {"title": "", "held_at": "2026-04-16T14:30", "place": "街道党群服务中心", "agenda": "研究热点需求"},
    )
    meeting = JointMeeting.objects.get()
    assert response.status_code == 302
    assert (
        meeting.chair_unit
        == ChairTerm.objects.get(month=datetime.date(2026, 4, 1), alliance=aw.street_alliance).unit
    )


def test_cancelling_needs_a_reason(aw, meeting):
    with pytest.raises(ValidationError):
        services.meeting_cancel(meeting=meeting, actor=aw.world.street_staff, reason=" ")
    services.meeting_cancel(meeting=meeting, actor=aw.world.street_staff, reason="台风")
    meeting.refresh_from_db()
    assert meeting.status == JointMeeting.Status.CANCELLED


def test_problems_wait_until_the_meeting_is_recorded(aw, meeting, login):
    with pytest.raises(ValidationError, match="才能登记会上提出的问题"):
        services.problem_raise(
            meeting=meeting, actor=aw.world.street_staff, description="停车难", owner_name="王"
        )
    assert not MeetingProblem.objects.exists()


def test_a_meeting_still_ahead_cannot_be_recorded_from_the_page(aw, meeting, login):
    JointMeeting.objects.filter(pk=meeting.pk).update(held_at=timezone.now() + datetime.timedelta(days=3))
    client = login(aw.world.street_staff)
    response = client.get(reverse("alliances:meeting_record", args=[meeting.pk]), follow=True)
    assert "会议还没有召开" in response.content.decode()
    assert not MeetingAttendance.objects.exists()


def test_meeting_points_refresh_the_units_ranks_without_waiting_for_the_night(
    aw, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_record(
            meeting=meeting, actor=aw.world.street_staff, attendance=everyone(aw), minutes="纪要", now=AFTER
        )
    march = PointsTotal.objects.filter(period_kind="month", period_start=datetime.date(2026, 3, 1))
    assert sorted(march.values_list("subject_id", flat=True)) == sorted(
        [aw.unit_a.pk, aw.unit_b.pk, aw.unit_s.pk]
    )
    assert sorted(march.with_rank().values_list("rank", flat=True)) == [1, 2, 3]
