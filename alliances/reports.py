"""The monthly joint-meeting report (联席会议月度报告): what goes into the frozen snapshot.

`build_report_data(alliance, month)` reads the month's records once and returns
a plain JSON document; `alliances.services.report_build` stores it in a
`MonthlyReport`. The page, the PDF and the workbook render only that document
(`present`, `report_sheets`), never the live tables, so a built month stays as
it was whatever happens to the projects, needs or claims afterwards.

What each section holds, for alliance A and month M (the month's first day to
the next month's first day, Asia/Shanghai):

- chair: A's chair term for M.
- members: units that were members on at least one day of M.
- meetings: A's meetings with their time in M, with each unit's attendance.
- projects (晾晒): projects in A's area (the communities under its grid node)
  led or partnered by a member unit, created before M ended and not finished
  before M began; their status and progress at the start and the end of M
  (from the status history and the dated progress updates), and the updates
  and status changes dated in M.
- needs: the needs of A's communities matched or closed in M (status
  history), and those still open at the end of M.
- wishes: claims on wishes in A's area by a member unit, or by one of its party
  members, that were made, fulfilled or confirmed in M.
- party members: see `unit_name_key` for who counts as a unit's party member;
  their verified service hours in A's area in M (hours verified by the time
  the report is built).
- points: the units' monthly totals and street ranks from the points rollup
  (PointsTotal), and when that rollup ran.
- problems: problems raised at A's meetings in M, and earlier ones not resolved
  when M began; their status at the end of M and the follow-ups dated in M.

A month that has not ended yet is reported as of the build time (`as_of`).
The number of queries does not depend on the number of units, projects or
people (bench/reports.py checks it).
"""

import datetime
import re
import unicodedata
from collections import defaultdict
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from alliances.models import (
    ChairTerm,
    JointMeeting,
    MeetingAttendance,
    MeetingProblem,
    MemberUnit,
    Need,
    NeedStatusChange,
    ProblemFollowUp,
    Project,
    ProjectStatusChange,
    ProjectUpdate,
    ResourceKind,
    add_months,
    month_end,
)
from points.models import PeriodKind, PointsPeriod, PointsTotal
from portal.scoping import Subtree
from portal.text import aside, join_list, labelled
from volunteers.models import ServiceRecord, Volunteer
from wishes.models import Claim

SCHEMA_VERSION = 1
EARLIEST_MONTH = datetime.date(2000, 1, 1)
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


# --- months ---------------------------------------------------------------------------


def this_month(now=None):
    return timezone.localdate(now or timezone.now()).replace(day=1)


def last_month(now=None):
    return add_months(this_month(now), -1)


def parse_month(text, now=None):
    """'2026-03' → date(2026, 3, 1). ValueError with a message for a malformed or future month."""
    match = _MONTH_RE.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(_("月份应写作 YYYY-MM，例如 2026-03。"))
    month = datetime.date(int(match.group(1)), int(match.group(2)), 1)
    check_month(month, now)
    return month


def check_month(month, now=None):
    if month < EARLIEST_MONTH:
        raise ValueError(_("月份不能早于 2000 年。"))
    if month > this_month(now):
        raise ValueError(
            _("%(month)s 还没有到，不能查看或生成未来月份的报告。") % {"month": f"{month:%Y-%m}"}
        )


def month_bounds(month):
    """Aware datetimes: the month's first moment and the next month's first moment."""
    start = timezone.make_aware(datetime.datetime.combine(month, datetime.time()))
    end = timezone.make_aware(datetime.datetime.combine(add_months(month, 1), datetime.time()))
    return start, end


# --- party members of a unit ---------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def unit_name_key(name):
    """The form of a unit name that `Volunteer.work_unit` is compared in.

    A volunteer records their work unit as free text (工作单位). A party member
    counts for member unit U of an alliance when they are a party member, live
    in the alliance's street (their community is in the street's tree: in-service
    party members report to the community where they live, 双报到), and their
    work unit, in this form, equals U's name in this form: Unicode NFKC (full-
    width letters, digits and brackets become their half-width forms), all
    whitespace removed, case folded. So "区人民医院（东院）" and "区人民医院(东院) "
    match; "区人民医院东院" or "区医院" do not. A name that two member units of the
    alliance share in this form matches neither (it would be a guess).
    """
    return _SPACES.sub("", unicodedata.normalize("NFKC", name or "")).casefold()


def _unit_keys(units):
    """{name key: unit id} for units whose key is not shared with another unit."""
    seen = defaultdict(list)
    for unit in units:
        seen[unit_name_key(unit.name)].append(unit.pk)
    return {key: ids[0] for key, ids in seen.items() if key and len(ids) == 1}


# --- formatting -------------------------------------------------------------------------


def _day(value):
    return value.isoformat() if value else None


def _at(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None


def _hours(value):
    return str((value or Decimal("0")).quantize(Decimal("0.1")))


# --- building -------------------------------------------------------------------------------


def build_report_data(alliance, month, now=None):
    """The report document of `alliance` for `month` (a first day), as plain JSON types."""
    now = now or timezone.now()
    start, end = month_bounds(month)
    as_of = min(end, now)
    node = alliance.grid
    area = Subtree.of(node)
    street_tree = node.tree_id

    memberships = [
        m
        for m in alliance.memberships.select_related("unit__grid").order_by("joined_on", "unit__name")
        if m.joined_on <= month_end(month) and (m.left_on is None or m.left_on > month)
    ]
    units = {m.unit_id: m.unit for m in memberships}
    chair = ChairTerm.objects.filter(alliance=alliance, month=month).select_related("unit").first()

    meetings, attendance = _meetings(alliance, units, start, end)
    projects = _projects(area, units, start, end, as_of)
    needs = _needs(area, month, start, end, as_of)
    wishes = _wishes(area, street_tree, units, start, end)
    party = _party_members(area, street_tree, units, month)
    points = _points(units, month)
    problems = _problems(alliance, start, end, as_of)

    data = {
        "schema": SCHEMA_VERSION,
        "alliance": {
            "id": alliance.pk,
            "name": alliance.name,
            "level": node.kind,
            "node": node.name,
            "node_code": node.code,
        },
        "month": f"{month:%Y-%m}",
        "as_of": _at(as_of),
        "complete": as_of >= end,
        "chair": _unit_brief(chair.unit) if chair else None,
        "members": [
            {
                **_unit_brief(m.unit),
                "joined_on": _day(m.joined_on),
                "left_on": _day(m.left_on),
                "covenant_signed_on": _day(m.covenant_signed_on),
                "is_chair": bool(chair and chair.unit_id == m.unit_id),
            }
            for m in memberships
        ],
        "meetings": meetings,
        "attendance": attendance,
        "projects": projects,
        "unit_projects": _unit_projects(units, projects),
        "needs": needs,
        "wishes": wishes,
        "party_members": party,
        "points": points,
        "problems": problems,
    }
    data["summary"] = _summary(data)
    return data


def _unit_brief(unit):
    return {
        "unit_id": unit.pk,
        "name": unit.name,
        "kind": unit.kind,
        "party_organisation": unit.party_organisation,
        "place": unit.grid.name,
    }


def _meetings(alliance, units, start, end):
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
                "held_at": _at(meeting.held_at),
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


def _projects(area, units, start, end, as_of):
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
                "start_on": _day(project.start_on),
                "end_on": _day(project.end_on),
                "created_on": _day(timezone.localdate(project.created_at)),
                "is_new": project.created_at >= start,
                "status_at_start": status_at_start,
                "status": status,
                "progress_at_start": _progress(progress_points, status_at_start, start),
                "progress": _progress(progress_points, status, as_of),
                "updates": [
                    {
                        "at": _at(u.posted_at),
                        "unit": u.unit.name if u.unit_id else _("工作人员"),
                        "text": u.text,
                        "progress": u.progress_percent,
                    }
                    for u in updates[project.pk]
                    if u.posted_at >= start
                ],
                "changes": [
                    {"at": _at(c.changed_at), "from": c.from_status, "to": c.to_status, "note": c.note}
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


def _unit_projects(units, projects):
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


def _needs(area, month, start, end, as_of):
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
            "raised_on": _day(need.raised_on),
            "wanted_by": _day(need.wanted_by),
            "overdue": bool(need.wanted_by and need.wanted_by < month_last),
            "at": _at(at),
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


def _party_member_filter(street_tree, prefix=""):
    return Q(
        **{
            f"{prefix}is_party_member": True,
            f"{prefix}community__tree_id": street_tree,
        }
    ) & ~Q(**{f"{prefix}work_unit": ""})


def _wishes(area, street_tree, units, start, end):
    if not units:
        return []
    keys = _unit_keys(units.values())
    in_month = (
        Q(claimed_at__gte=start, claimed_at__lt=end)
        | Q(fulfilled_at__gte=start, fulfilled_at__lt=end)
        | Q(confirmed_at__gte=start, confirmed_at__lt=end)
    )
    by_whom = Q(unit__in=list(units)) | _party_member_filter(street_tree, "volunteer__")
    claims = (
        Claim.objects.filter(in_month, by_whom, **area.lookups("wish__grid__"))
        .values_list(
            "unit_id", "volunteer__work_unit", "claimed_at", "withdrawn_at", "fulfilled_at", "confirmed_at"
        )
        .order_by()
    )
    rows = {
        pk: {"unit_id": pk, "unit": unit.name, **dict.fromkeys(_WISH_COUNTS, 0)} for pk, unit in units.items()
    }
    for unit_id, work_unit, claimed_at, withdrawn_at, fulfilled_at, confirmed_at in claims:
        owner = unit_id if unit_id in rows else keys.get(unit_name_key(work_unit))
        if owner is None:
            continue
        who = "unit" if unit_id else "members"
        if start <= claimed_at < end and not (withdrawn_at and withdrawn_at < end):
            rows[owner][f"{who}_claimed"] += 1
        if fulfilled_at and start <= fulfilled_at < end:
            rows[owner][f"{who}_fulfilled"] += 1
        if confirmed_at and start <= confirmed_at < end:
            rows[owner][f"{who}_confirmed"] += 1
    return [row for row in rows.values() if any(row[k] for k in _WISH_COUNTS)]


_WISH_COUNTS = (
    "unit_claimed",
    "unit_fulfilled",
    "unit_confirmed",
    "members_claimed",
    "members_fulfilled",
    "members_confirmed",
)


def _party_members(area, street_tree, units, month):
    if not units:
        return []
    keys = _unit_keys(units.values())
    rows = {
        pk: {
            "unit_id": pk,
            "unit": unit.name,
            "members": 0,
            "serving": 0,
            "records": 0,
            "hours": Decimal("0"),
        }
        for pk, unit in units.items()
    }
    registered = (
        Volunteer.objects.filter(_party_member_filter(street_tree))
        .values("work_unit")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in registered:
        owner = keys.get(unit_name_key(row["work_unit"]))
        if owner is not None:
            rows[owner]["members"] += row["n"]
    served = (
        ServiceRecord.objects.filter(
            _party_member_filter(street_tree, "volunteer__"),
            service_date__gte=month,
            service_date__lt=add_months(month, 1),
            verified_at__isnull=False,
            attendance__in=[ServiceRecord.Attendance.NORMAL, ServiceRecord.Attendance.LATE],
            **area.lookups("community__"),
        )
        .values("volunteer__work_unit")
        .annotate(hours=Sum("hours"), records=Count("pk"), people=Count("volunteer", distinct=True))
        .order_by()
    )
    for row in served:
        owner = keys.get(unit_name_key(row["volunteer__work_unit"]))
        if owner is not None:
            rows[owner]["serving"] += row["people"]
            rows[owner]["records"] += row["records"]
            rows[owner]["hours"] += row["hours"] or Decimal("0")
    return [
        {**row, "hours": _hours(row["hours"])} for row in rows.values() if row["members"] or row["records"]
    ]


def _points(units, month):
    period = PointsPeriod.objects.filter(kind=PeriodKind.MONTH, start=month).first()
    totals = {
        t.subject_id: t
        for t in PointsTotal.objects.filter(
            period_kind=PeriodKind.MONTH,
            period_start=month,
            subject_type=ContentType.objects.get_for_model(MemberUnit),
            subject_id__in=list(units),
        )
    }
    rows = [
        {
            "unit_id": pk,
            "unit": unit.name,
            "points": str(totals[pk].points) if pk in totals else "0.00",
            "entries": totals[pk].entries if pk in totals else 0,
            "rank": totals[pk].rank if pk in totals else None,
        }
        for pk, unit in units.items()
    ]
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["unit"]))
    return {
        "computed_at": _at(period.computed_at) if period else None,
        "closed": bool(period and period.closed_at),
        "rows": rows,
    }


def _problems(alliance, start, end, as_of):
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
                "meeting_day": _day(timezone.localdate(problem.meeting.held_at)),
                "description": problem.description,
                "raised_by": problem.raised_by_unit.name if problem.raised_by_unit_id else "",
                "owner": problem.owner_unit.name if problem.owner_unit_id else problem.owner_name,
                "due_on": _day(problem.due_on),
                "raised_in_month": raised_in_month,
                "status": status,
                "resolved_at": _at(resolved[-1])
                if resolved and status == MeetingProblem.Status.RESOLVED
                else None,
                "overdue": bool(
                    status != MeetingProblem.Status.RESOLVED
                    and problem.due_on
                    and problem.due_on < month_last
                ),
                "follow_ups": [
                    {"at": _at(f.at), "status": f.status, "note": f.note}
                    for f in follow_ups[problem.pk]
                    if f.at >= start
                ],
            }
        )
    return documents


def _summary(data):
    held = [m for m in data["meetings"] if m["status"] == JointMeeting.Status.HELD]
    expected = sum(m["present"] + m["excused"] + m["absent"] for m in held)
    present = sum(m["present"] for m in held)
    projects = data["projects"]
    hours = sum((Decimal(r["hours"]) for r in data["party_members"]), Decimal("0"))
    problems = data["problems"]
    return {
        "members": len(data["members"]),
        "meetings_held": len(held),
        "attendance_rate": round(present * 100 / expected) if expected else None,
        "projects": len(projects),
        "projects_new": sum(1 for p in projects if p["is_new"]),
        "projects_active": sum(1 for p in projects if p["status"] in Project.ACTIVE),
        "projects_completed": sum(
            1
            for p in projects
            if p["status"] == Project.Status.COMPLETED and p["status_at_start"] != p["status"]
        ),
        "updates": sum(len(p["updates"]) for p in projects),
        "needs_matched": len(data["needs"]["matched"]),
        "needs_closed": len(data["needs"]["closed"]),
        "needs_open": len(data["needs"]["open"]),
        "needs_open_hot": sum(1 for n in data["needs"]["open"] if n["priority"] == Need.Priority.HOT),
        "wishes_claimed": sum(r["unit_claimed"] + r["members_claimed"] for r in data["wishes"]),
        "wishes_fulfilled": sum(r["unit_fulfilled"] + r["members_fulfilled"] for r in data["wishes"]),
        "party_members": sum(r["members"] for r in data["party_members"]),
        "party_hours": _hours(hours),
        "problems_raised": sum(1 for p in problems if p["raised_in_month"]),
        "problems_resolved": sum(
            1 for p in problems if any(f["status"] == MeetingProblem.Status.RESOLVED for f in p["follow_ups"])
        ),
        "problems_open": sum(1 for p in problems if p["status"] != MeetingProblem.Status.RESOLVED),
    }


# --- presenting -------------------------------------------------------------------------------

LABELS = {
    "project": dict(Project.Status.choices),
    "need_kind": dict(ResourceKind.choices),
    "need_priority": dict(Need.Priority.choices),
    "meeting": dict(JointMeeting.Status.choices),
    "attendance": dict(MeetingAttendance.Status.choices),
    "problem": dict(MeetingProblem.Status.choices),
    "unit_kind": dict(MemberUnit.Kind.choices),
}
LEVELS = {"street": gettext_lazy("区域党建联盟"), "community": gettext_lazy("区域化党委委员会")}


def _label(kind, code):
    return str(LABELS[kind].get(code, code or "—"))


def present(data):
    """The stored document with display labels added, for the templates (labels follow the language)."""
    data = {**data}
    data["level_label"] = str(LEVELS.get(data["alliance"]["level"], ""))
    data["members"] = [{**m, "kind_label": _label("unit_kind", m["kind"])} for m in data["members"]]
    data["meetings"] = [
        {
            **m,
            "status_label": _label("meeting", m["status"]),
            "attendance": [{**a, "status_label": _label("attendance", a["status"])} for a in m["attendance"]],
        }
        for m in data["meetings"]
    ]
    data["projects"] = [
        {
            **p,
            "status_label": _label("project", p["status"]),
            "status_at_start_label": _label("project", p["status_at_start"]) if p["status_at_start"] else "",
            "changes": [
                {**c, "from_label": _label("project", c["from"]), "to_label": _label("project", c["to"])}
                for c in p["changes"]
            ],
            "events": _project_timeline(p),
        }
        for p in data["projects"]
    ]
    data["needs"] = {
        key: [
            {
                **n,
                "kind_label": _label("need_kind", n["kind"]),
                "priority_label": _label("need_priority", n["priority"]),
                "is_hot": n["priority"] == Need.Priority.HOT,
            }
            for n in rows
        ]
        for key, rows in data["needs"].items()
    }
    titles = {
        "matched": _("本月匹配的需求"),
        "closed": _("本月关闭的需求"),
        "open": _("月末仍待匹配的需求"),
    }
    data["need_groups"] = [{"key": key, "title": titles[key], "rows": data["needs"][key]} for key in titles]
    data["problems"] = [
        {
            **p,
            "status_label": _label("problem", p["status"]),
            "follow_ups": [{**f, "status_label": _label("problem", f["status"])} for f in p["follow_ups"]],
        }
        for p in data["problems"]
    ]
    return data


def _project_timeline(project):
    """Status changes and progress updates of the month in one list, oldest first."""
    events = []
    for c in project["changes"]:
        if c["from"]:
            text = _("状态：%(a)s → %(b)s") % {
                "a": _label("project", c["from"]),
                "b": _label("project", c["to"]),
            }
        else:
            text = _("立项（%(b)s）") % {"b": _label("project", c["to"])}
        events.append(
            {"at": c["at"], "text": labelled(text, c["note"]) if c["note"] else text, "progress": None}
        )
    for u in project["updates"]:
        events.append({"at": u["at"], "text": labelled(u["unit"], u["text"]), "progress": u["progress"]})
    events.sort(key=lambda e: e["at"])
    return events


def report_sheets(data):
    """The workbook: one sheet per section, as (title, headers, rows) for portal.xlsx."""
    shown = present(data)
    s = shown["summary"]
    chair = shown["chair"]["name"] if shown["chair"] else "—"
    summary_rows = [
        (_("联盟"), shown["alliance"]["name"]),
        (_("月份"), shown["month"]),
        (_("轮值主席单位"), chair),
        (_("成员单位"), s["members"]),
        (_("召开联席会议"), s["meetings_held"]),
        (_("出席率（%）"), s["attendance_rate"] if s["attendance_rate"] is not None else "—"),
        (_("在推进的项目"), s["projects_active"]),
        (_("本月新立项"), s["projects_new"]),
        (_("本月完成项目"), s["projects_completed"]),
        (_("本月项目进展"), s["updates"]),
        (_("本月匹配需求"), s["needs_matched"]),
        (_("本月关闭需求"), s["needs_closed"]),
        (_("月末待匹配需求"), s["needs_open"]),
        (_("其中热点需求"), s["needs_open_hot"]),
        (_("认领微心愿"), s["wishes_claimed"]),
        (_("完成微心愿"), s["wishes_fulfilled"]),
        (_("在职党员"), s["party_members"]),
        (_("党员志愿服务时长（小时）"), float(s["party_hours"])),
        (_("本月提出问题"), s["problems_raised"]),
        (_("本月办结问题"), s["problems_resolved"]),
        (_("月末未办结问题"), s["problems_open"]),
        (_("数据截至"), shown["as_of"]),
    ]
    return [
        (_("概况"), [pgettext("a row of figures", "项目"), _("数值")], summary_rows),
        (
            _("成员单位"),
            [
                _("单位"),
                _("类型"),
                _("所在"),
                _("党组织"),
                _("加入日期"),
                _("退出日期"),
                _("签署公约"),
                _("本月轮值主席"),
            ],
            [
                (
                    m["name"],
                    m["kind_label"],
                    m["place"],
                    m["party_organisation"],
                    m["joined_on"],
                    m["left_on"] or "",
                    m["covenant_signed_on"] or "",
                    _("是") if m["is_chair"] else "",
                )
                for m in shown["members"]
            ],
        ),
        (
            _("联席会议"),
            [
                _("会议"),
                _("时间"),
                _("地点"),
                _("状态"),
                _("主席单位"),
                _("出席"),
                _("请假"),
                _("缺席"),
                _("议程"),
                _("纪要"),
            ],
            [
                (
                    m["title"],
                    m["held_at"],
                    m["place"],
                    m["status_label"],
                    m["chair"],
                    m["present"],
                    m["excused"],
                    m["absent"],
                    m["agenda"],
                    m["minutes"],
                )
                for m in shown["meetings"]
            ],
        ),
        (
            _("出席情况"),
            [_("单位"), _("出席"), _("请假"), _("缺席")],
            [(r["unit"], r["present"], r["excused"], r["absent"]) for r in shown["attendance"]],
        ),
        (
            _("项目晾晒"),
            [
                _("项目"),
                _("牵头单位"),
                _("协办单位"),
                _("社区"),
                _("月初状态"),
                _("月末状态"),
                _("月初进度（%）"),
                _("月末进度（%）"),
                _("本月进展条数"),
                _("预算（元）"),
                _("开始日期"),
                _("计划结束日期"),
            ],
            [
                (
                    p["title"],
                    p["lead_unit"],
                    join_list(p["partners"]),
                    p["community"],
                    p["status_at_start_label"] or _("本月立项"),
                    p["status_label"],
                    p["progress_at_start"] if p["progress_at_start"] is not None else "",
                    p["progress"],
                    len(p["updates"]),
                    float(p["budget"]),
                    p["start_on"] or "",
                    p["end_on"] or "",
                )
                for p in shown["projects"]
            ],
        ),
        (
            _("本月项目动态"),
            [_("项目"), _("牵头单位"), _("时间"), _("内容"), _("进度（%）")],
            _project_events(shown["projects"]),
        ),
        (
            _("需求"),
            [
                _("需求"),
                _("社区"),
                _("所需资源"),
                _("类别"),
                _("提出日期"),
                _("期望完成"),
                _("本月情况"),
                _("时间"),
            ],
            [
                (
                    n["title"],
                    n["community"],
                    n["kind_label"],
                    n["priority_label"],
                    n["raised_on"],
                    n["wanted_by"] or "",
                    label,
                    n["at"] or "",
                )
                for key, label in (
                    ("matched", _("本月匹配")),
                    ("closed", _("本月关闭")),
                    ("open", _("月末待匹配")),
                )
                for n in shown["needs"][key]
            ],
        ),
        (
            _("微心愿"),
            [
                _("单位"),
                _("单位认领"),
                _("单位完成"),
                _("单位获居民确认"),
                _("党员认领"),
                _("党员完成"),
                _("党员获居民确认"),
            ],
            [
                (
                    r["unit"],
                    r["unit_claimed"],
                    r["unit_fulfilled"],
                    r["unit_confirmed"],
                    r["members_claimed"],
                    r["members_fulfilled"],
                    r["members_confirmed"],
                )
                for r in shown["wishes"]
            ],
        ),
        (
            _("党员志愿服务"),
            [_("单位"), _("在职党员"), _("本月参加服务人数"), _("服务人次"), _("已核验时长（小时）")],
            [
                (r["unit"], r["members"], r["serving"], r["records"], float(r["hours"]))
                for r in shown["party_members"]
            ],
        ),
        (
            _("积分排名"),
            [_("单位"), _("本月积分"), _("记录数"), _("街道排名")],
            [(r["unit"], float(r["points"]), r["entries"], r["rank"] or "") for r in shown["points"]["rows"]],
        ),
        (
            _("问题跟进"),
            [
                _("问题"),
                _("会议"),
                _("提出单位"),
                _("责任单位或责任人"),
                _("办结期限"),
                _("月末状态"),
                _("办结时间"),
                _("本月跟进"),
            ],
            [
                (
                    p["description"],
                    aside(p["meeting"], p["meeting_day"]),
                    p["raised_by"],
                    p["owner"],
                    p["due_on"] or "",
                    p["status_label"],
                    p["resolved_at"] or "",
                    pgettext("separator between sentences", "；").join(
                        f"{f['at']} {labelled(f['status_label'], f['note'])}" for f in p["follow_ups"]
                    ),
                )
                for p in shown["problems"]
            ],
        ),
    ]


def _project_events(projects):
    rows = [
        (p["title"], p["lead_unit"], e["at"], e["text"], e["progress"] if e["progress"] is not None else "")
        for p in projects
        for e in p["events"]
    ]
    rows.sort(key=lambda r: (r[2], r[0]))
    return rows
