"""One alliance's month, as the monthly joint-meeting report records it.

The report (the `reports` app) asks these for the alliance's own sections and
freezes what they return: plain JSON types, read once per build, with a number
of queries that does not grow with the number of units, projects or people.
For alliance A and month M (M's first moment to the next month's, local time):

- members and chair: units that were members on at least one day of M, and
  A's chair term for M;
- meetings: A's meetings held in M, with each unit's attendance;
- projects (晾晒): projects in A's area led or partnered by a member unit,
  created before M ended and not finished before M began, with their status
  and progress at the start and the end of M and what changed in M;
- needs: the needs of A's communities matched or closed in M, and those still
  open at the end of M;
- problems: problems raised at A's meetings in M, and earlier ones not
  resolved when M began, with their follow-ups in M.

A month that has not ended yet is read as of `as_of`.
"""

import datetime
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.models import (
    ChairTerm,
    JointMeeting,
    MeetingAttendance,
    MeetingProblem,
    Need,
    NeedStatusChange,
    ProblemFollowUp,
    Project,
    ProjectStatusChange,
    ProjectUpdate,
)
from portal.months import day_text, minute_text, month_end


def month_members(alliance, month):
    """(memberships of units that were members on a day of `month`, the month's chair term or None)."""
    memberships = [
        m
        for m in alliance.memberships.select_related("unit__grid").order_by("joined_on", "unit__name")
        if m.joined_on <= month_end(month) and (m.left_on is None or m.left_on > month)
    ]
    chair = ChairTerm.objects.filter(alliance=alliance, month=month).select_related("unit").first()
    return memberships, chair


def unit_brief(unit):
    return {
        "unit_id": unit.pk,
        "name": unit.name,
        "kind": unit.kind,
        "party_organisation": unit.party_organisation,
        "place": unit.grid.name,
    }


def month_meetings(alliance, units, start, end):
    meetings = list(
        JointMeeting.objects.filter(alliance=alliance, held_at__gte=start, held_at__lt=end)
        .select_related("chair_unit")
        .order_by("held_at", "pk")
    )
    rows = defaultdict(list)
    for row in (
        MeetingAttendance.objects.filter(meeting__in=[m.pk for m in meetings])
        .select_related("unit")
        .order_by("unit__name", "pk")
    ):
        rows[row.meeting_id].append(row)
    per_unit = {pk: {"present": 0, "excused": 0, "absent": 0} for pk in units}
    documents = []
    for meeting in meetings:
        counts = {"present": 0, "excused": 0, "absent": 0}
        for row in rows[meeting.pk]:
            counts[row.status] += 1
            if row.unit_id in per_unit:
                per_unit[row.unit_id][row.status] += 1
        documents.append(
            {
                "id": meeting.pk,
                "title": meeting.title,
                "held_at": minute_text(meeting.held_at),
                "place": meeting.place,
                "status": meeting.status,
                "chair": meeting.chair_unit.name,
                "agenda": meeting.agenda,
                "minutes": meeting.minutes,
                **counts,
                "attendance": [
                    {"unit": r.unit.name, "status": r.status, "attendee": r.attendee}
                    for r in rows[meeting.pk]
                ],
            }
        )
    attendance = [
        {"unit_id": pk, "unit": unit.name, **per_unit[pk]}
        for pk, unit in units.items()
        if any(per_unit[pk].values())
    ]
    return documents, attendance


def _state_at(history, moment, default):
    """The `to` status of the last (time, status) pair before `moment`, else `default`."""
    state = default
    for at, status in history:
        if at < moment:
            state = status
    return state


def month_projects(area, units, start, end, as_of):
    if not units:
        return []
    involved = Q(lead_unit__in=list(units)) | Q(
        pk__in=Project.partner_units.through.objects.filter(memberunit_id__in=list(units)).values(
            "project_id"
        )
    )
    candidates = list(
        Project.objects.filter(involved, created_at__lt=end, **area.lookups("community__"))
        .select_related("lead_unit", "community")
        .order_by("lead_unit__name", "created_at", "pk")
    )
    ids = [p.pk for p in candidates]
    partners = defaultdict(list)
    for row in (
        Project.partner_units.through.objects.filter(project_id__in=ids)
        .select_related("memberunit")
        .order_by("memberunit__name")
    ):
        partners[row.project_id].append((row.memberunit_id, row.memberunit.name))
    changes = defaultdict(list)
    for change in ProjectStatusChange.objects.filter(project_id__in=ids, changed_at__lt=end).order_by(
        "changed_at", "pk"
    ):
        changes[change.project_id].append(change)
    updates = defaultdict(list)
    for update in (
        ProjectUpdate.objects.filter(project_id__in=ids, posted_at__lt=end)
        .select_related("unit")
        .only("project_id", "posted_at", "text", "progress_percent", "unit__name")
        .order_by("posted_at", "pk")
    ):
        updates[update.project_id].append(update)

    documents = []
    for project in candidates:
        history = [(c.changed_at, c.to_status) for c in changes[project.pk]]
        status_at_start = (
            _state_at(history, start, Project.Status.PLANNED) if project.created_at < start else ""
        )
        if status_at_start in Project.FINISHED:
            continue  # finished before the month began: not this month's business
        status = _state_at(history, as_of, Project.Status.PLANNED)
        progress_points = [
            (u.posted_at, u.progress_percent) for u in updates[project.pk] if u.progress_percent is not None
        ]
        documents.append(
            {
                "id": project.pk,
                "title": project.title,
                "community": project.community.name,
                "lead_unit_id": project.lead_unit_id,
                "lead_unit": project.lead_unit.name,
                "partners": [name for _pk, name in partners[project.pk]],
                "partner_ids": [pk for pk, _name in partners[project.pk]],
                "budget": str(project.budget),
                "start_on": day_text(project.start_on),
                "end_on": day_text(project.end_on),
                "created_on": day_text(timezone.localdate(project.created_at)),
                "is_new": project.created_at >= start,
                "status_at_start": status_at_start,
                "status": status,
                "progress_at_start": _progress(progress_points, status_at_start, start),
                "progress": _progress(progress_points, status, as_of),
                "updates": [
                    {
                        "at": minute_text(u.posted_at),
                        "unit": u.unit.name if u.unit_id else _("工作人员"),
                        "text": u.text,
                        "progress": u.progress_percent,
                    }
                    for u in updates[project.pk]
                    if u.posted_at >= start
                ],
                "changes": [
                    {
                        "at": minute_text(c.changed_at),
                        "from": c.from_status,
                        "to": c.to_status,
                        "note": c.note,
                    }
                    for c in changes[project.pk]
                    if c.changed_at >= start
                ],
            }
        )
    return documents


def _progress(points, status, moment):
    if not status:
        return None
    if status == Project.Status.COMPLETED:
        return 100
    return _state_at(points, moment, 0)


def unit_project_counts(units, projects):
    rows = {
        pk: {"unit_id": pk, "unit": unit.name, "led": 0, "partnered": 0, "updates": 0}
        for pk, unit in units.items()
    }
    for project in projects:
        if project["lead_unit_id"] in rows:
            rows[project["lead_unit_id"]]["led"] += 1
            rows[project["lead_unit_id"]]["updates"] += len(project["updates"])
        for pk in project["partner_ids"]:
            if pk in rows:
                rows[pk]["partnered"] += 1
    return [row for row in rows.values() if row["led"] or row["partnered"]]


def month_needs(area, month, start, end, as_of):
    needs = {
        n.pk: n
        for n in Need.objects.filter(raised_on__lte=month_end(month), **area.lookups("community__"))
        .select_related("community")
        .order_by("community__lft", "-priority", "raised_on", "pk")
    }
    history = defaultdict(list)
    moved = {"matched": {}, "closed": {}}
    for change in NeedStatusChange.objects.filter(need__in=list(needs), changed_at__lt=end).order_by(
        "changed_at", "pk"
    ):
        history[change.need_id].append((change.changed_at, change.to_status))
        if change.changed_at >= start and change.to_status in moved:
            moved[change.to_status][change.need_id] = change.changed_at
    month_last = month_end(month)

    def document(need, at=None):
        return {
            "id": need.pk,
            "title": need.title,
            "community": need.community.name,
            "kind": need.kind,
            "priority": need.priority,
            "raised_on": day_text(need.raised_on),
            "wanted_by": day_text(need.wanted_by),
            "overdue": bool(need.wanted_by and need.wanted_by < month_last),
            "at": minute_text(at),
        }

    still_open = [
        document(need)
        for pk, need in needs.items()
        if _state_at(history[pk], as_of, Need.Status.OPEN) == Need.Status.OPEN
    ]
    return {
        "matched": [document(needs[pk], at) for pk, at in moved["matched"].items()],
        "closed": [document(needs[pk], at) for pk, at in moved["closed"].items()],
        "open": still_open,
    }


def month_problems(alliance, start, end, as_of):
    problems = list(
        MeetingProblem.objects.filter(meeting__alliance=alliance, created_at__lt=end)
        .exclude(resolved_at__lt=start)
        .select_related("meeting", "owner_unit", "raised_by_unit")
        .order_by("created_at", "pk")
    )
    follow_ups = defaultdict(list)
    for row in ProblemFollowUp.objects.filter(problem__in=[p.pk for p in problems], at__lt=end).order_by(
        "at", "pk"
    ):
        follow_ups[row.problem_id].append(row)
    month_last = timezone.localdate(end) - datetime.timedelta(days=1)
    documents = []
    for problem in problems:
        history = [(f.at, f.status) for f in follow_ups[problem.pk]]
        raised_in_month = problem.created_at >= start
        if not raised_in_month and _state_at(history, start, "open") == MeetingProblem.Status.RESOLVED:
            continue
        status = _state_at(history, as_of, MeetingProblem.Status.OPEN)
        resolved = [f.at for f in follow_ups[problem.pk] if f.status == MeetingProblem.Status.RESOLVED]
        documents.append(
            {
                "id": problem.pk,
                "meeting": problem.meeting.title,
                "meeting_day": day_text(timezone.localdate(problem.meeting.held_at)),
                "description": problem.description,
                "raised_by": problem.raised_by_unit.name if problem.raised_by_unit_id else "",
                "owner": problem.owner_unit.name if problem.owner_unit_id else problem.owner_name,
                "due_on": day_text(problem.due_on),
                "raised_in_month": raised_in_month,
                "status": status,
                "resolved_at": minute_text(resolved[-1])
                if resolved and status == MeetingProblem.Status.RESOLVED
                else None,
                "overdue": bool(
                    status != MeetingProblem.Status.RESOLVED
                    and problem.due_on
                    and problem.due_on < month_last
                ),
                "follow_ups": [
                    {"at": minute_text(f.at), "status": f.status, "note": f.note}
                    for f in follow_ups[problem.pk]
                    if f.at >= start
                ],
            }
        )
    return documents
