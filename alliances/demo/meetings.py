"""The demo's joint meetings: monthly for the street's alliance, every other month for committees, with problems."""

import datetime

from django.utils import timezone

from alliances import services
from alliances.demo.data import AGENDAS, FOLLOW_UPS, MINUTES, PROBLEMS, PROJECT_MONTHS
from alliances.demo.lists import at
from alliances.models import (
    ChairTerm,
    JointMeeting,
    MeetingAttendance,
    MeetingProblem,
    Membership,
    ProblemFollowUp,
)
from portal.months import add_months, month_start


def _second_thursday(month):
    day = month + datetime.timedelta(days=(3 - month.weekday()) % 7 + 7)
    return day


def meetings(ctx, street_alliance, committees, staff, now):
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
            held_at = at(day, 14 if alliance is street_alliance else 15, 30)
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
