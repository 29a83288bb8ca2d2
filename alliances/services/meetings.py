"""Joint meetings (联席会议): scheduling, attendance with points, cancelling, and the problems raised."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances import access, events
from alliances.models import (
    JointMeeting,
    MeetingAttendance,
    MeetingProblem,
    ProblemFollowUp,
)
from alliances.services.chair import chair_for_month
from points.services import points_award
from portal.access import require, staff_over
from portal.text import join_list


@transaction.atomic
def meeting_schedule(*, alliance, held_at, agenda, actor, place="", title=""):
    """Put a joint meeting in the calendar; its chair is the month's chair from the schedule."""
    require(staff_over(actor, alliance.grid, "alliances.add_jointmeeting"))
    local = timezone.localtime(held_at)
    term = chair_for_month(alliance, local.date())
    if term is None:
        raise ValidationError(
            _("%(month)s 还没有轮值主席，请先在联盟页面生成轮值表。") % {"month": f"{local:%Y-%m}"}
        )
    meeting = JointMeeting(
        alliance=alliance,
        title=title or _("%(year)s年%(month)s月联席会议") % {"year": local.year, "month": local.month},
        held_at=held_at,
        place=place,
        chair_unit=term.unit,
        agenda=agenda,
    )
    meeting.full_clean()
    meeting.save()
    events.meeting_scheduled.send(sender=JointMeeting, meeting=meeting)
    return meeting


def meeting_members(meeting):
    """The memberships of the units that were members on the meeting's day."""
    day = timezone.localtime(meeting.held_at).date()
    memberships = meeting.alliance.memberships.select_related("unit").order_by("joined_on", "unit__name")
    return [m for m in memberships if m.is_member_on(day)]


@transaction.atomic
def meeting_record(*, meeting, actor, attendance, minutes, now=None):
    """Record a held meeting: each member unit's attendance and the minutes.

    `attendance` maps unit pk to (status, attendee). Every unit that was a member
    on the day must be listed, and no other. Units present earn points. Once
    recorded, attendance is final; corrections of points go through the ledger.
    """
    meeting = (
        JointMeeting.objects.select_for_update(of=("self",))
        .select_related("alliance__grid")
        .get(pk=meeting.pk)
    )
    require(staff_over(actor, meeting.alliance.grid, "alliances.change_jointmeeting"))
    if meeting.status != JointMeeting.Status.PLANNED:
        raise ValidationError(
            _("这次会议已经%(status)s，不能再次记录。") % {"status": meeting.get_status_display()}
        )
    now = now or timezone.now()
    if meeting.held_at > now:
        raise ValidationError(_("会议还没有召开，召开后再记录出席情况。"))
    members = {m.unit_id: m.unit for m in meeting_members(meeting)}
    listed = set(attendance)
    if listed != set(members):
        missing = [members[pk].name for pk in set(members) - listed]
        if missing:
            raise ValidationError(
                _("请填写这些单位的出席情况：%(units)s。") % {"units": join_list(sorted(missing))}
            )
        raise ValidationError(_("出席名单中有不是该联盟成员的单位。"))
    rows = []
    for unit_id, (status, attendee) in attendance.items():
        if status not in MeetingAttendance.Status.values:
            raise ValidationError(_("出席情况无效。"))
        rows.append(
            MeetingAttendance(meeting=meeting, unit=members[unit_id], status=status, attendee=attendee[:100])
        )
    MeetingAttendance.objects.bulk_create(rows)
    meeting.minutes = minutes
    meeting.status = JointMeeting.Status.HELD
    meeting.recorded_at, meeting.recorded_by = now, actor
    meeting.full_clean()
    meeting.save(update_fields=["minutes", "status", "recorded_at", "recorded_by"])
    award_meeting_points(meeting)
    return meeting


def award_meeting_points(meeting):
    """Points for every unit present at a held meeting; calling it again earns nothing more."""
    if meeting.status != JointMeeting.Status.HELD:
        return []
    entries = []
    present = meeting.attendances.filter(status=MeetingAttendance.Status.PRESENT).select_related("unit__grid")
    for row in present:
        entry = points_award(
            rule_code="meeting_attended", subject=row.unit, source=row, occurred_at=meeting.held_at
        )
        if entry is not None:
            entries.append(entry)
    return entries


@transaction.atomic
def meeting_cancel(*, meeting, actor, reason):
    meeting = (
        JointMeeting.objects.select_for_update(of=("self",))
        .select_related("alliance__grid")
        .get(pk=meeting.pk)
    )
    require(staff_over(actor, meeting.alliance.grid, "alliances.change_jointmeeting"))
    if meeting.status != JointMeeting.Status.PLANNED:
        raise ValidationError(_("只有尚未召开的会议可以取消。"))
    if not (reason or "").strip():
        raise ValidationError(_("请写明取消原因。"))
    meeting.status = JointMeeting.Status.CANCELLED
    meeting.minutes = _("会议取消：%(reason)s") % {"reason": reason.strip()}
    meeting.save(update_fields=["status", "minutes"])
    return meeting


@transaction.atomic
def problem_raise(
    *, meeting, actor, description, owner_unit=None, owner_name="", raised_by_unit=None, due_on=None
):
    """A problem raised at a meeting, with an owner (unit or person) to follow it up."""
    meeting = JointMeeting.objects.select_related("alliance__grid").get(pk=meeting.pk)
    require(staff_over(actor, meeting.alliance.grid, "alliances.add_meetingproblem"))
    if meeting.status != JointMeeting.Status.HELD:
        raise ValidationError(_("会议召开并记录出席情况后，才能登记会上提出的问题。"))
    member_ids = set(meeting.alliance.memberships.values_list("unit_id", flat=True))
    for unit in (owner_unit, raised_by_unit):
        if unit is not None and unit.pk not in member_ids:
            raise ValidationError(_("“%(unit)s”不是该联盟的成员单位。") % {"unit": unit})
    problem = MeetingProblem(
        meeting=meeting,
        description=description,
        owner_unit=owner_unit,
        owner_name=owner_name,
        raised_by_unit=raised_by_unit,
        due_on=due_on,
    )
    problem.full_clean()
    problem.save()
    return problem


@transaction.atomic
def problem_follow_up(*, problem, actor, status, note, at=None):
    """Add a dated follow-up to a problem and move it to `status` (the owner unit's liaison or staff)."""
    problem = (
        MeetingProblem.objects.select_for_update(of=("self",))
        .select_related("meeting__alliance__grid", "owner_unit")
        .get(pk=problem.pk)
    )
    require(
        access.can_follow_up_problem(actor, problem), _("只有责任单位的联络员或工作人员可以跟进这个问题。")
    )
    if problem.status == MeetingProblem.Status.RESOLVED:
        raise ValidationError(_("这个问题已经办结。"))
    if status not in (MeetingProblem.Status.IN_PROGRESS, MeetingProblem.Status.RESOLVED):
        raise ValidationError(_("跟进后的状态只能是办理中或已办结。"))
    if not (note or "").strip():
        raise ValidationError(_("请填写办理情况。"))
    at = at or timezone.now()
    ProblemFollowUp.objects.create(problem=problem, status=status, note=note.strip(), by=actor, at=at)
    problem.status = status
    problem.resolved_at = at if status == MeetingProblem.Status.RESOLVED else None
    problem.save(update_fields=["status", "resolved_at"])
    return problem
