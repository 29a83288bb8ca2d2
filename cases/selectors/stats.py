"""The numbers staff are judged by: 办结率, 按时签收率, 按时办结率, 满意率, time to finish, reopened cases.

Every function takes a scope (`portal.scoping`: a Subtree, Streets or EVERYTHING) and a period
[start, end), and returns plain data: counts, from which `rates` derives the percentages. Counts
add up (a superuser's dashboard adds streets up), rates do not, so nothing here stores a rate.

Two kinds of rows are counted, each in one grouped query per grouping:

- **cases** reported in the period (`reported_at`), merged duplicates left out: per category, grid,
  community or street (`case_counts`);
- **dispatches** (吹哨) sent in the period (`dispatched_at`): per responder, a department or a
  member unit (`responder_counts`, and `unit_dispatch_counts` for the monthly report).

The definitions (docs/cases.md#the-numbers) are the Q objects below, once.
"""

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum

from cases.models import Case, CaseState, Dispatch, DispatchState
from portal.scoping import EVERYTHING, NOTHING, Subtree, aggregate_in

SATISFIED_FROM = 4  # a rating of 4 or 5 stars counts as satisfied (满意)

# --- cases ----------------------------------------------------------------------------------

# Cases that were for the portal to handle: not declined (不予受理), not turned into a wish.
_HANDLEABLE = ~Q(state__in=[CaseState.DECLINED, CaseState.TO_WISH])
_FINISHED = Q(state__in=Case.FINISHED)
# Whether it was accepted or signed for in time is known once it was accepted
# (受理, or dispatched by the street), or once the overdue job marked it late.
_SIGN_JUDGED = Q(accepted_at__isnull=False) | Q(sign_overdue_at__isnull=False)
_SIGNED_ON_TIME = Q(accepted_at__isnull=False, sign_overdue_at__isnull=True) & (
    Q(sign_due_at__isnull=True) | Q(accepted_at__lte=F("sign_due_at"))
)
# Whether it was finished in time is known once it is finished (核实 passed), or
# once it was marked late while still open.
_FINISH_JUDGED = _FINISHED | Q(state__in=Case.OPEN, finish_overdue_at__isnull=False)
_FINISHED_ON_TIME = (
    _FINISHED
    & Q(finish_overdue_at__isnull=True)
    & (Q(finish_due_at__isnull=True) | Q(done_at__isnull=True) | Q(done_at__lte=F("finish_due_at")))
)
_TIMED = _FINISHED & Q(done_at__isnull=False)
_CASE_DURATION = ExpressionWrapper(F("done_at") - F("reported_at"), output_field=DurationField())

CASE_COUNTS = {
    "received": Count("pk"),
    "handleable": Count("pk", filter=_HANDLEABLE),
    "finished": Count("pk", filter=_FINISHED),
    "open": Count("pk", filter=Q(state__in=Case.OPEN)),
    "overdue": Count(
        "pk",
        filter=Q(state__in=Case.OPEN)
        & (Q(sign_overdue_at__isnull=False) | Q(finish_overdue_at__isnull=False)),
    ),
    "sign_judged": Count("pk", filter=_HANDLEABLE & _SIGN_JUDGED),
    "signed_on_time": Count("pk", filter=_HANDLEABLE & _SIGNED_ON_TIME),
    "finish_judged": Count("pk", filter=_FINISH_JUDGED),
    "finished_on_time": Count("pk", filter=_FINISHED_ON_TIME),
    "rated": Count("pk", filter=Q(rating__isnull=False)),
    "satisfied": Count("pk", filter=Q(rating__gte=SATISFIED_FROM)),
    "reopened": Count("pk", filter=Q(reopened_count__gt=0)),
    "timed": Count("pk", filter=_TIMED),
    "finish_time": Sum(_CASE_DURATION, filter=_TIMED),
}
CASE_KEYS = tuple(k for k in CASE_COUNTS if k != "finish_time")

# What each grouping groups by, and the fields of the row that name the group.
CASE_GROUPS = {
    "category": ("category_id", "category__name"),
    "category_name": ("category__name",),
    "grid": ("grid_id", "grid__name"),
    "community": ("community_id", "community__name"),
    "street": ("street_id", "street__name"),
    # A superuser's dashboard: each street's categories, added up by name across streets.
    "street_category": ("street_id", "category__name"),
}


def _cases(start, end):
    return Case.objects.filter(reported_at__gte=start, reported_at__lt=end).exclude(state=CaseState.MERGED)


def _is_street(scope):
    """A whole street: the root of its tree (lft 1). Its rows carry the street (`street_id`)."""
    return isinstance(scope, Subtree) and scope.lft == 1


def _scoped_cases(scope, start, end):
    """The cases of `scope` reported in [start, end), as rows `aggregate_in` takes with EVERYTHING.

    A street's are found by the street they carry (joined to the street's grid nodes by key:
    only the root matches), so PostgreSQL reads the range (street, reported_at) of one index
    instead of the plain grid index; a smaller scope goes through the grid semi-join."""
    if _is_street(scope):
        return _cases(start, end).filter(street__tree_id=scope.tree_id, street__lft=1), EVERYTHING
    return _cases(start, end), scope


def _clean(row):
    row["finish_time"] = _seconds(row.get("finish_time"))
    for key in list(row):
        if row[key] is None and key.endswith("__name"):
            row[key] = ""
    return row


def _seconds(value):
    """A summed duration as whole seconds (PostgreSQL gives an interval, SQLite microseconds)."""
    if value is None:
        return 0
    if hasattr(value, "total_seconds"):
        return round(value.total_seconds())
    return round(value / 1_000_000)


def case_counts(scope, start, end, *, by=None, group=None):
    """The counts of the cases inside `scope` reported in [start, end).

    Without `by` (or `group`), one dict; with `by` (a key of CASE_GROUPS) or `group` (fields),
    a list of dicts, one per group, holding the group's fields and the counts. One query either way.
    """
    group = CASE_GROUPS[by] if by is not None else group
    found, scope = _scoped_cases(scope, start, end)
    if not group:
        return _clean(aggregate_in(found, scope, CASE_COUNTS))
    rows = aggregate_in(found, scope, CASE_COUNTS, group=group)
    return [_clean(row) for row in rows]


# --- dispatches: responders -----------------------------------------------------------------

_DONE = Q(state=DispatchState.DONE)
_D_SIGN_JUDGED = Q(signed_at__isnull=False) | Q(sign_overdue_at__isnull=False)
_D_SIGNED_ON_TIME = Q(signed_at__isnull=False, sign_overdue_at__isnull=True, signed_at__lte=F("sign_due_at"))
_D_FINISH_JUDGED = _DONE | Q(finish_overdue_at__isnull=False)
_D_FINISHED_ON_TIME = (
    _DONE
    & Q(finish_overdue_at__isnull=True)
    & (Q(finish_due_at__isnull=True) | Q(done_at__lte=F("finish_due_at")))
)
_D_TIMED = _DONE & Q(done_at__isnull=False)
_DISPATCH_DURATION = ExpressionWrapper(F("done_at") - F("dispatched_at"), output_field=DurationField())

DISPATCH_COUNTS = {
    "dispatched": Count("pk"),
    "signed": Count("pk", filter=Q(signed_at__isnull=False)),
    "sign_judged": Count("pk", filter=_D_SIGN_JUDGED),
    "signed_on_time": Count("pk", filter=_D_SIGNED_ON_TIME),
    "finished": Count("pk", filter=_DONE),
    "finish_judged": Count("pk", filter=_D_FINISH_JUDGED),
    "finished_on_time": Count("pk", filter=_D_FINISHED_ON_TIME),
    "returned": Count("pk", filter=Q(state=DispatchState.RETURNED)),
    "live": Count("pk", filter=Q(state__in=Dispatch.LIVE)),
    # The resident's rating of the case, for the responders who finished their part of it.
    "rated": Count("pk", filter=_DONE & Q(case__rating__isnull=False)),
    "satisfied": Count("pk", filter=_DONE & Q(case__rating__gte=SATISFIED_FROM)),
    "reopened": Count("pk", filter=Q(case__reopened_count__gt=0)),
    "timed": Count("pk", filter=_D_TIMED),
    "finish_time": Sum(_DISPATCH_DURATION, filter=_D_TIMED),
}
DISPATCH_KEYS = tuple(k for k in DISPATCH_COUNTS if k != "finish_time")
_RESPONDER = ("department_id", "department__name", "unit_id", "unit__name")


def _dispatches(scope, start, end):
    """A month of dispatches inside `scope`, as rows `aggregate_in` takes with EVERYTHING.

    A street's are found by the street each dispatch carries: one range of the index
    (street, dispatched_at), without reading the street's cases (bench/cases.py). A smaller
    scope is joined through the case to its grid node (the month's dispatches are few, so
    PostgreSQL looks each case up by key)."""
    found = Dispatch.objects.filter(dispatched_at__gte=start, dispatched_at__lt=end)
    if scope is EVERYTHING:
        return found
    if scope is NOTHING:
        return found.none()
    if _is_street(scope):
        return found.filter(street__tree_id=scope.tree_id, street__lft=1)
    return found.filter(**scope.lookups("case__grid__"))


def _responder_row(row):
    row = _clean(row)
    if row["department_id"] is not None:
        row["kind"], row["responder_id"], row["name"] = (
            "department",
            row["department_id"],
            row["department__name"],
        )
    else:
        row["kind"], row["responder_id"], row["name"] = "unit", row["unit_id"], row["unit__name"]
    return row


def responder_counts(scope, start, end, *, per_street=False):
    """Per responder (a department or a member unit): the dispatches of cases inside `scope`
    sent in [start, end) and how they were answered (报到); with `per_street`, also per the
    case's street (as `case__street_id`). One query."""
    group = (*_RESPONDER, "case__street_id") if per_street else _RESPONDER
    rows = aggregate_in(_dispatches(scope, start, end), EVERYTHING, DISPATCH_COUNTS, group=group)
    return sorted((_responder_row(r) for r in rows), key=lambda r: (r["kind"], -r["dispatched"], r["name"]))


UNIT_DISPATCH_KEYS = ("dispatched", "signed_on_time", "finished_on_time", "finished", "returned")


def unit_dispatch_counts(area, units, start, end):
    """For the monthly report: per member unit of `units` ({pk: unit}), the dispatches of cases in
    `area` sent to it in [start, end), with the counts the report shows. One query; units with
    no dispatch are left out."""
    if not units:
        return []
    found = aggregate_in(
        _dispatches(area, start, end).filter(unit__in=list(units)),
        EVERYTHING,
        DISPATCH_COUNTS,
        group=("unit_id",),
    )
    rows = []
    for row in found:
        row = _clean(row)
        rows.append({"unit_id": row["unit_id"], "unit": units[row["unit_id"]].name, **_keep(row)})
    rows.sort(key=lambda r: (-r["dispatched"], r["unit"]))
    return rows


def _keep(row):
    return {k: row[k] for k in (*DISPATCH_KEYS, "finish_time")}


# --- rates ----------------------------------------------------------------------------------


def percent(part, whole):
    """`part` of `whole` in per cent with one decimal, or None when there is nothing to count."""
    if not whole:
        return None
    return round(part * 100 / whole, 1)


def rates(counts):
    """The rates of one row of counts (cases or dispatches): None where the denominator is 0.

    - 办结率 (finish_rate): finished of those to handle (cases: not declined nor turned into a
      wish; dispatches: not returned);
    - 按时签收率 (sign_rate): accepted or signed in time of those whose clock was decided;
    - 按时办结率 (on_time_rate): finished in time of those finished or marked late;
    - 满意率 (satisfaction): rated 4–5 stars of those rated;
    - finish_hours: average calendar hours from report (or dispatch) to done.
    """
    to_handle = counts["handleable"] if "handleable" in counts else counts["dispatched"] - counts["returned"]
    return {
        "finish_rate": percent(counts["finished"], to_handle),
        "sign_rate": percent(counts["signed_on_time"], counts["sign_judged"]),
        "on_time_rate": percent(counts["finished_on_time"], counts["finish_judged"]),
        "satisfaction": percent(counts["satisfied"], counts["rated"]),
        "finish_hours": round(counts["finish_time"] / counts["timed"] / 3600, 1) if counts["timed"] else None,
    }


def add_counts(rows, keys):
    """The sum of several rows of counts (`keys` and the summed finish time)."""
    total = dict.fromkeys((*keys, "finish_time"), 0)
    for row in rows:
        for key in total:
            total[key] += row.get(key) or 0
    return total


def case_stats(scope, start, end, *, groups=("category", "grid", "community")):
    """Everything the /cases/stats/ page shows: the total, the groups asked for and the responders,
    each row with its rates. Two queries: the cases grouped by every field the groups name at once
    (a few hundred rows for a street), added up here into the total and each grouping — counts add
    up — and the responders."""
    fields = list(dict.fromkeys(f for by in groups for f in CASE_GROUPS[by]))
    rows = case_counts(scope, start, end, by=None, group=fields) if fields else []
    total = add_counts(rows, CASE_KEYS) if fields else case_counts(scope, start, end)
    data = {"total": {**total, **rates(total)}, "groups": {}}
    for by in groups:
        keys = CASE_GROUPS[by]
        parts = {}
        for row in rows:
            parts.setdefault(tuple(row[k] for k in keys), []).append(row)
        grouped = [
            {**dict(zip(keys, key, strict=True)), **add_counts(part, CASE_KEYS)}
            for key, part in parts.items()
        ]
        grouped.sort(key=lambda r: str(r[keys[-1]]))
        data["groups"][by] = [{**row, **rates(row)} for row in grouped]
    data["responders"] = [{**row, **rates(row)} for row in responder_counts(scope, start, end)]
    return data
