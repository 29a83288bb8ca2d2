"""The monthly joint-meeting report (联席会议月度报告): what goes into the frozen snapshot.

`build_report_data(alliance, month)` reads the month's records once and returns
a plain JSON document; `reports.services.report_build` stores it in a
`MonthlyReport`. The page, the PDF and the workbook render only that document
(`reports.present`, `reports.workbook`), never the live tables, so a built
month stays as it was whatever happens to the projects, needs or claims
afterwards.

Each section comes from the app that owns its data, for alliance A and month M
(the month's first moment to the next month's, Asia/Shanghai):

- chair, members, meetings, projects (晾晒), needs, problems: A's own month,
  from `alliances.selectors.month` (its docstring says what each holds);
- wishes: claims on wishes in A's area by a member unit, or by one of its party
  members, made, fulfilled or confirmed in M (`wishes.selectors.unit_claim_counts`);
- party members: who counts as a unit's party member (`alliances.models.unit_name_key`),
  and their counted service hours in A's area in M, as verified by the time the
  report is built (`volunteers.selectors.unit_party_members`);
- points: the units' monthly totals and street ranks from the points rollup,
  and when that rollup ran (`points.selectors.month_points`);
- cases (吹哨报到): per member unit, the grid cases in A's area dispatched to it
  in M and how it answered — signed for in time, finished in time, returned,
  the residents' ratings — as they stood when the report was built
  (`cases.selectors.unit_dispatch_counts`).

A month that has not ended yet is reported as of the build time (`as_of`).
The number of queries does not depend on the number of units, projects or
people (bench/reports.py checks it).
"""

from decimal import Decimal

from django.utils import timezone

from alliances import selectors as alliance_month
from alliances.models import JointMeeting, MeetingProblem, Need, Project
from cases.selectors import unit_dispatch_counts
from points.selectors import month_points
from portal.months import day_text, minute_text, month_bounds
from portal.scoping import Subtree
from volunteers.selectors import unit_party_members
from wishes.selectors import unit_claim_counts

SCHEMA_VERSION = 1


def _hours(value):
    return str((value or Decimal("0")).quantize(Decimal("0.1")))


def build_report_data(alliance, month, now=None):
    """The report document of `alliance` for `month` (a first day), as plain JSON types."""
    now = now or timezone.now()
    start, end = month_bounds(month)
    as_of = min(end, now)
    node = alliance.grid
    area = Subtree.of(node)
    street_tree = node.tree_id

    memberships, chair = alliance_month.month_members(alliance, month)
    units = {m.unit_id: m.unit for m in memberships}
    meetings, attendance = alliance_month.month_meetings(alliance, units, start, end)
    projects = alliance_month.month_projects(area, units, start, end, as_of)
    party = [
        {**row, "hours": _hours(row["hours"])} for row in unit_party_members(area, street_tree, units, month)
    ]

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
        "as_of": minute_text(as_of),
        "complete": as_of >= end,
        "chair": alliance_month.unit_brief(chair.unit) if chair else None,
        "members": [
            {
                **alliance_month.unit_brief(m.unit),
                "joined_on": day_text(m.joined_on),
                "left_on": day_text(m.left_on),
                "covenant_signed_on": day_text(m.covenant_signed_on),
                "is_chair": bool(chair and chair.unit_id == m.unit_id),
            }
            for m in memberships
        ],
        "meetings": meetings,
        "attendance": attendance,
        "projects": projects,
        "unit_projects": alliance_month.unit_project_counts(units, projects),
        "needs": alliance_month.month_needs(area, month, start, end, as_of),
        "wishes": unit_claim_counts(area, street_tree, units, start, end),
        "party_members": party,
        "points": _points(units, month),
        "problems": alliance_month.month_problems(alliance, start, end, as_of),
        "cases": unit_dispatch_counts(area, units, start, end),
    }
    data["summary"] = _summary(data)
    return data


def _points(units, month):
    rollup = month_points(units.values(), month)
    totals = rollup["totals"]
    rows = [
        {
            "unit_id": pk,
            "unit": unit.name,
            "points": str(totals[pk][0]) if pk in totals else "0.00",
            "entries": totals[pk][1] if pk in totals else 0,
            "rank": totals[pk][2] if pk in totals else None,
        }
        for pk, unit in units.items()
    ]
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["unit"]))
    return {"computed_at": minute_text(rollup["computed_at"]), "closed": rollup["closed"], "rows": rows}


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
        "cases_dispatched": sum(r["dispatched"] for r in data["cases"]),
        "cases_finished": sum(r["finished"] for r in data["cases"]),
    }
