"""The needs and projects numbers of the staff dashboard, for any part of the grid tree.

Each function takes a scope (`portal.scoping`: a `Subtree`, `Streets` or
`EVERYTHING`) and returns plain numbers; with `by_node` the numbers come per
grid node of the rows, so the dashboard can add them up per street.
"""

import datetime
from collections import defaultdict

from django.db.models import Count, F, Q

from alliances.models import Need, Project
from portal.scoping import aggregate_in, limit_to_scope

# Soonest wanted first, needs without a date after them (on every database).
_HOT_ORDER = (F("wanted_by").asc(nulls_last=True), "raised_on", "pk")


def _need_counts(today):
    return {
        "open": Count("pk", filter=Q(status=Need.Status.OPEN)),
        "open_hot": Count("pk", filter=Q(status=Need.Status.OPEN, priority=Need.Priority.HOT)),
        "open_overdue": Count("pk", filter=Q(status=Need.Status.OPEN, wanted_by__lt=today)),
        "matched": Count("pk", filter=Q(status=Need.Status.MATCHED)),
        "closed": Count("pk", filter=Q(status=Need.Status.CLOSED)),
    }


NEED_COUNTS = ("open", "open_hot", "open_overdue", "matched", "closed")
PROJECT_STATUSES = Project.Status.choices  # (status, label), in the order the dashboard shows them


def need_counts(scope, today, *, by_node=False):
    """Needs by state: open (of which hot, and past their wanted date), matched, closed."""
    return aggregate_in(Need.objects.all(), scope, _need_counts(today), by_node=by_node)


def hot_need_key(need):
    """The order of `hot_needs` as a Python sort key, to merge the lists of several streets."""
    return (need["wanted_by"] is None, need["wanted_by"] or datetime.date.min, need["raised_on"], need["id"])


def hot_needs(scope, limit, *, per_street=False):
    """The first `limit` open hot needs, soonest wanted first, as plain dicts with their street's tree.

    With `per_street`, the first `limit` of each street in `scope`.
    """
    needs = (
        limit_to_scope(
            Need.objects.filter(status=Need.Status.OPEN, priority=Need.Priority.HOT), scope, Need.scope_field
        )
        .select_related("community")
        .order_by(*_HOT_ORDER)
    )
    if not per_street:
        needs = needs[:limit]
    taken = defaultdict(int)
    result = []
    for need in needs:
        if taken[need.community.tree_id] >= limit:
            continue
        taken[need.community.tree_id] += 1
        result.append(
            {
                "id": need.pk,
                "title": need.title,
                "community": need.community.name,
                "tree_id": need.community.tree_id,
                "wanted_by": need.wanted_by,
                "raised_on": need.raised_on,
                "kind": need.kind,
            }
        )
    return result


def project_counts(scope, *, by_node=False):
    """Projects by status: {status: n} (every status present), or per node with `by_node`."""
    rows = aggregate_in(Project.objects.all(), scope, {"n": Count("pk")}, group=("status",), by_node=by_node)
    if by_node:
        return rows
    counts = {row["status"]: row["n"] for row in rows}
    return {status: counts.get(status, 0) for status in Project.Status.values}
