"""The staff dashboard's numbers for one node's subtree, or for every street, uncached.

Every number comes from the selectors of the app that owns it (grids'
households and visits, wishes' funnel, volunteers' counted hours, alliances'
needs and projects, points' leaderboards), each asked for a scope: the
node's subtree, or for a superuser the streets one by one (`compute_streets`),
grouped by grid node so a street's part can be computed alone and the parts
added up (`merge_streets`). About twenty grouped queries, whatever the size of
the subtree. The result holds codes and numbers, not labels, so one cached
entry serves every language (`dashboard.cache` caches it).
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from alliances import selectors as alliance_numbers
from care.selectors import building_leader_counts, pairing_counts
from cases import selectors as case_numbers
from grids.models import Grid, Household
from grids.selectors import grid_stats, visit_weeks
from points import selectors as points_numbers
from points.models import SubjectKind
from portal.months import add_months, month_bounds, month_start, this_month
from portal.scoping import EVERYTHING, Streets, Subtree
from volunteers.selectors import counted_hours
from wishes.selectors import FUNNEL, wish_funnel

WEEKS = 12
MONTHS = 12
TOP = 10
HOT_NEEDS = 5
LEADER_COUNTS = ("leaders", "party_leaders")
TOP_LISTS = (("top_volunteers", SubjectKind.PERSON), ("top_units", SubjectKind.UNIT))


def streets():
    return list(Grid.objects.filter(kind=Grid.Kind.STREET).order_by("tree_id"))


def _week_start(day):
    return day - datetime.timedelta(days=day.weekday())


def _first_week(today):
    return _week_start(today) - datetime.timedelta(weeks=WEEKS - 1)


def _first_month(today):
    return add_months(month_start(today), -(MONTHS - 1))


def _months(today):
    first = _first_month(today)
    return {add_months(first, k): [Decimal("0"), 0] for k in range(MONTHS)}


def compute_dashboard(node, now=None):
    """Every number of the dashboard for `node`'s subtree (None: every street), uncached."""
    now = now or timezone.now()
    if node is None:
        every = streets()
        parts = compute_streets(every, everything=True, now=now)
        return merge_streets([parts[s.pk] for s in every], now=now)
    today = timezone.localdate(now)
    children = list(node.get_children().order_by("lft"))
    nodes = [node, *children]
    subtree = Subtree.of(node)
    stats = grid_stats(nodes, now=now)
    month = points_numbers.board_month()
    data = {
        "computed_at": now,
        "node": node,
        "rows": [(n, stats[n.pk]) for n in nodes],
        "rainbow": [(n.name, stats[n.pk].by_category) for n in children or [node]],
        "totals": _totals([node], stats),
        "unpaired": pairing_counts(subtree)["unpaired"],
        "leaders": building_leader_counts(subtree),
        "visits_by_week": _visits_by_week(subtree, today),
        "wishes": wish_funnel(subtree),
        "hours_by_month": _hours_by_month(subtree, today),
        "needs": alliance_numbers.need_counts(subtree, today),
        "hot_needs": alliance_numbers.hot_needs(subtree, HOT_NEEDS),
        "projects": list(alliance_numbers.project_counts(subtree).items()),
        "board_month": month,
        "cases": _cases(subtree, node, children, now),
    }
    for key, kind in TOP_LISTS:
        data[key] = points_numbers.top_subjects(subtree, month, kind, TOP)
    return data


def _zero_cases():
    return case_numbers.add_counts([], case_numbers.CASE_KEYS)


def _cases(scope, node, children, now):
    """Grid cases reported this month: the total, per community (per grid under a community),
    per category and per responder. Three or four grouped queries."""
    month = this_month(now)
    start, end = month_bounds(month)
    places = []
    if node.kind == Grid.Kind.STREET:
        rows = {r["community_id"]: r for r in case_numbers.case_counts(scope, start, end, by="community")}
        places = [(child.name, rows.get(child.pk) or _zero_cases()) for child in children]
    elif node.kind == Grid.Kind.COMMUNITY:
        rows = {r["grid_id"]: r for r in case_numbers.case_counts(scope, start, end, by="grid")}
        # A case filed on the community itself (its QR code) is the community's own row.
        places = [(n.name, rows[n.pk]) for n in [node] if n.pk in rows]
        places += [(child.name, rows.get(child.pk) or _zero_cases()) for child in children]
    categories = [
        (r["category__name"], r) for r in case_numbers.case_counts(scope, start, end, by="category_name")
    ]
    return {
        "month": month,
        "total": case_numbers.case_counts(scope, start, end),
        "places": places,
        "categories": sorted(categories, key=lambda c: (-c[1]["received"], c[0])),
        "responders": case_numbers.responder_counts(scope, start, end),
    }


def _totals(nodes, stats):
    total = {"households": 0, "overdue": 0, "visits_this_month": 0, "follow_ups_open": 0, "vulnerable": 0}
    for n in nodes:
        s = stats[n.pk]
        total["households"] += s.households
        total["overdue"] += s.overdue
        total["visits_this_month"] += s.visits_this_month
        total["follow_ups_open"] += s.follow_ups_open
        total["vulnerable"] += sum(v for k, v in s.by_category.items() if k != Household.Category.GENERAL)
    return total


def _visits_by_week(scope, today):
    first = _first_week(today)
    counts = {row["week"]: row["n"] for row in visit_weeks(scope, first)}
    weeks = [first + datetime.timedelta(weeks=k) for k in range(WEEKS)]
    return [(week, counts.get(week, 0)) for week in weeks]


def _hours_by_month(scope, today):
    """Counted hours and person-times per month. Grouped by day in SQL — a plain column,
    so PostgreSQL hashes it instead of sorting every record by a computed month — and
    summed into months here."""
    months = _months(today)
    for row in counted_hours(scope, _first_month(today)):
        month = months.get(month_start(row["start"]))
        if month is not None:  # a record dated in the future is no month's yet
            month[0] += row["hours"] or Decimal("0")
            month[1] += row["records"]
    return [(month, hours, records) for month, (hours, records) in months.items()]


# --- every street: one part per street, added up ----------------------------------------------


def compute_streets(street_nodes, everything=False, now=None):
    """{street pk: that street's part} for `street_nodes`, uncached.

    The same numbers as `compute_dashboard`, asked per grid node for the
    streets asked for (with `everything`, all of them, unrestricted) and added
    up per street here. A part holds what `merge_streets` adds up: counts by
    key, and the candidates for the top lists with their sort keys.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    scope = EVERYTHING if everything else Streets(tuple(s.tree_id for s in street_nodes))
    by_tree = {s.tree_id: s.pk for s in street_nodes}
    stats = grid_stats(street_nodes, now=now)
    parts = {
        s.pk: {
            "computed_at": now,
            "street": s,
            "stats": stats[s.pk],
            "weeks": defaultdict(int),
            "unpaired": 0,
            "leaders": defaultdict(int),
            "wishes": defaultdict(int),
            "months": defaultdict(lambda: [Decimal("0"), 0]),
            "needs": defaultdict(int),
            "hot_needs": [],
            "projects": defaultdict(int),
            "top_volunteers": [],
            "top_units": [],
            "board_month": None,
            "cases": {"total": _zero_cases(), "categories": {}, "responders": {}},
        }
        for s in street_nodes
    }
    # Rows come grouped by their own grid node, mapped to their street here:
    # a join to the tree in SQL would cost more than the grouping.
    tree_of = dict(Grid.objects.filter(tree_id__in=list(by_tree)).values_list("pk", "tree_id"))

    def part(row):
        return parts[by_tree[tree_of[row["node"]]]]

    for row in visit_weeks(scope, _first_week(today), by_node=True):
        part(row)["weeks"][row["week"]] += row["n"]
    for row in pairing_counts(scope, by_node=True):
        part(row)["unpaired"] += row["unpaired"]
    for row in building_leader_counts(scope, by_node=True):
        for key in LEADER_COUNTS:
            part(row)["leaders"][key] += row[key]
    for row in wish_funnel(scope, by_node=True):
        for key in FUNNEL:
            part(row)["wishes"][key] += row[key]
    for row in counted_hours(scope, _first_month(today), per="month", by_node=True):
        month = part(row)["months"][row["start"]]
        month[0] += row["hours"] or Decimal("0")
        month[1] += row["records"]
    for row in alliance_numbers.need_counts(scope, today, by_node=True):
        for key in alliance_numbers.NEED_COUNTS:
            part(row)["needs"][key] += row[key]
    for need in alliance_numbers.hot_needs(scope, HOT_NEEDS, per_street=True):
        parts[by_tree[need["tree_id"]]]["hot_needs"].append((alliance_numbers.hot_need_key(need), need))
    for row in alliance_numbers.project_counts(scope, by_node=True):
        part(row)["projects"][row["status"]] += row["n"]
    month = points_numbers.board_month()
    for p in parts.values():
        p["board_month"] = month
    for key, kind in TOP_LISTS:
        for entry in points_numbers.top_subjects(scope, month, kind, TOP, per_street=True):
            parts[entry["street_id"]][key].append((entry["key"], entry))
    _street_cases(parts, scope, now)
    for p in parts.values():
        for key in ("weeks", "leaders", "wishes", "months", "needs", "projects"):
            p[key] = dict(p[key])  # a plain dict pickles for the cache
    return parts


def _street_cases(parts, scope, now):
    """Each street's cases of this month: its total, its categories by name, its responders."""
    month = this_month(now)
    start, end = month_bounds(month)
    for p in parts.values():
        p["cases"]["month"] = month
    for row in case_numbers.case_counts(scope, start, end, by="street"):
        if row["street_id"] in parts:
            parts[row["street_id"]]["cases"]["total"] = row
    for row in case_numbers.case_counts(scope, start, end, by="street_category"):
        if row["street_id"] in parts:
            parts[row["street_id"]]["cases"]["categories"][row["category__name"]] = row
    for row in case_numbers.responder_counts(scope, start, end, per_street=True):
        if row["case__street_id"] in parts:
            parts[row["case__street_id"]]["cases"]["responders"][(row["kind"], row["name"])] = row


def _merge_cases(parts, now):
    """The cases section of every street: per street, and categories and responders added up by name."""
    categories, responders = defaultdict(list), defaultdict(list)
    for p in parts:
        for name, row in p["cases"]["categories"].items():
            categories[name].append(row)
        for key, row in p["cases"]["responders"].items():
            responders[key].append(row)
    merged_categories = [
        (name, case_numbers.add_counts(rows, case_numbers.CASE_KEYS)) for name, rows in categories.items()
    ]
    merged_responders = [
        {"kind": kind, "name": name, **case_numbers.add_counts(rows, case_numbers.DISPATCH_KEYS)}
        for (kind, name), rows in responders.items()
    ]
    return {
        "month": parts[0]["cases"].get("month") if parts else this_month(now),
        "total": case_numbers.add_counts([p["cases"]["total"] for p in parts], case_numbers.CASE_KEYS),
        "places": [(p["street"].name, p["cases"]["total"]) for p in parts],
        "categories": sorted(merged_categories, key=lambda c: (-c[1]["received"], c[0])),
        "responders": sorted(merged_responders, key=lambda r: (r["kind"], -r["dispatched"], r["name"])),
    }


def merge_streets(parts, now=None):
    """The dashboard of every street from their parts, in the shape `compute_dashboard` returns."""
    now = now or max((p["computed_at"] for p in parts), default=timezone.now())
    today = timezone.localdate(now)
    stats = {p["street"].pk: p["stats"] for p in parts}
    street_nodes = [p["street"] for p in parts]
    first_week = _first_week(today)
    weeks = [first_week + datetime.timedelta(weeks=k) for k in range(WEEKS)]
    months = _months(today)
    for p in parts:
        for start, (hours, records) in p["months"].items():
            month = months.get(start)
            if month is not None:  # a record dated in the future is no month's yet
                month[0] += hours
                month[1] += records
    statuses = [status for status, _label in alliance_numbers.PROJECT_STATUSES]
    return {
        "computed_at": min((p["computed_at"] for p in parts), default=now),
        "node": None,
        "rows": [(s, stats[s.pk]) for s in street_nodes],
        "rainbow": [(s.name, stats[s.pk].by_category) for s in street_nodes],
        "totals": _totals(street_nodes, stats),
        "unpaired": sum(p.get("unpaired", 0) for p in parts),
        "leaders": {k: sum(p.get("leaders", {}).get(k, 0) for p in parts) for k in LEADER_COUNTS},
        "visits_by_week": [(week, sum(p["weeks"].get(week, 0) for p in parts)) for week in weeks],
        "wishes": {k: sum(p["wishes"].get(k, 0) for p in parts) for k in FUNNEL},
        "hours_by_month": [(month, hours, records) for month, (hours, records) in months.items()],
        "needs": {k: sum(p["needs"].get(k, 0) for p in parts) for k in alliance_numbers.NEED_COUNTS},
        "hot_needs": _best(parts, "hot_needs", HOT_NEEDS),
        "projects": [(status, sum(p["projects"].get(status, 0) for p in parts)) for status in statuses],
        "board_month": parts[0]["board_month"] if parts else None,
        "top_volunteers": _best(parts, "top_volunteers", TOP),
        "top_units": _best(parts, "top_units", TOP),
        "cases": _merge_cases(parts, now),
    }


def _best(parts, key, n):
    """The first `n` of every part's candidates, by their sort keys."""
    candidates = sorted((c for p in parts for c in p[key]), key=lambda c: c[0])
    return [entry for _key, entry in candidates[:n]]
