"""The staff dashboard's numbers: the aggregates of one scope node, computed and cached.

`dashboard_data(user)` returns the numbers of the user's scope (a street, a
community or a grid; everything for a superuser). They depend on the scope node
only, never on the person, so every user with the same scope shares one cache
entry.

Caching. An entry is stored under the scope node's lft/rght range and the
current *generation* of its street (one generation per tree):

    dashboard:v2:<tree>:<lft>:<rght>:<generation>    the numbers, for DASHBOARD_CACHE_SECONDS

A superuser's dashboard adds up every street. Its parts are cached per street,
under the same generations:

    dashboard:v2:street:<tree>:<generation>          one street's part

so after a write in one street only that street's part is computed again
(`compute_streets`, the same grouped queries restricted to the streets asked
for) and added to the others' cached parts (`merge_streets`).

Saving or deleting, through the ORM, a row the dashboard counts — a household,
visit, wish, claim, service record, need or project — moves its street's
generation on after the transaction commits, so the next request computes
fresh numbers; old entries are never read again and expire. Writes that bypass the ORM's signals — the points rollup (raw SQL),
bulk imports, the nightly jobs' UPDATEs — show up when the entry expires:
DASHBOARD_CACHE_SECONDS (default 120) bounds how stale the dashboard can be.
The cache is Django's (Redis with REDIS_URL, shared by every process;
otherwise per process). `compute_dashboard(node)` is the uncached computation
(bench/dashboard.py compares both).
"""

import datetime
import time
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, DateField, F, Q, Sum, Window
from django.db.models.functions import RowNumber, TruncMonth, TruncWeek
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from alliances.models import MemberUnit, Need, Project, add_months
from grids.models import Grid, Household, Visit
from grids.selectors import grid_stats
from points.models import PeriodKind, PointsPeriod, PointsTotal, SubjectKind
from portal.scoping import EVERYTHING, NOTHING, Subtree, limit_to_scope, scope_of
from volunteers.models import ServiceRecord, Volunteer
from wishes.models import Claim, Wish

CACHE_VERSION = 2
WEEKS = 12
MONTHS = 12
TOP = 10
HOT_NEEDS = 5


# --- caching ------------------------------------------------------------------------------


def _generation_key(tree_id):
    return f"dashboard:gen:{tree_id}"


def _generation(key):
    """The current generation; a missing one starts from the clock, so it never repeats an old value."""
    value = cache.get(key)
    if value is None:
        cache.add(key, time.time_ns() // 1000, None)
        value = cache.get(key)
    return value


def _entry_key(scope):
    generation = _generation(_generation_key(scope.tree_id))
    return f"dashboard:v{CACHE_VERSION}:{scope.tree_id}:{scope.lft}:{scope.rght}:{generation}"


def dashboard_data(user):
    """The user's scope's numbers, from the cache when they are there (None without a scope)."""
    scope = scope_of(user)
    if scope is NOTHING:
        return None
    if scope is EVERYTHING:
        return _every_street()
    key = _entry_key(scope)
    data = cache.get(key)
    if data is None:
        data = compute_dashboard(Grid.objects.get(tree_id=scope.tree_id, lft=scope.lft, rght=scope.rght))
        cache.set(key, data, settings.DASHBOARD_CACHE_SECONDS)
    return data


def _every_street():
    """Every street's cached part, the missing ones computed together, added up."""
    streets = _streets()
    generations = cache.get_many([_generation_key(s.tree_id) for s in streets])
    keys = {
        s.pk: f"dashboard:v{CACHE_VERSION}:street:{s.tree_id}:"
        f"{generations.get(_generation_key(s.tree_id)) or _generation(_generation_key(s.tree_id))}"
        for s in streets
    }
    cached = cache.get_many(list(keys.values()))
    parts = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [s for s in streets if s.pk not in parts]
    if missing:
        fresh = compute_streets(missing, everything=len(missing) == len(streets))
        cache.set_many({keys[pk]: part for pk, part in fresh.items()}, settings.DASHBOARD_CACHE_SECONDS)
        parts.update(fresh)
    return merge_streets([parts[s.pk] for s in streets])


def _streets():
    return list(Grid.objects.filter(kind=Grid.Kind.STREET).order_by("tree_id"))


def invalidate_tree(tree_id):
    """Move a street's generation on: its dashboards and its part of the superusers' are computed afresh."""
    key = _generation_key(tree_id)
    try:
        cache.incr(key)
    except ValueError:  # not there (expired, evicted or never read): start a new one
        cache.add(key, time.time_ns() // 1000, None)


# How each counted model reaches its grid node, for invalidation.
_GRID_OF = {
    Household: "grid_id",
    Visit: "grid_id",
    Wish: "grid_id",
    ServiceRecord: "community_id",
    Need: "community_id",
    Project: "community_id",
}


def _invalidate_for_grid(grid_id):
    tree_id = Grid.objects.filter(pk=grid_id).values_list("tree_id", flat=True).first()
    if tree_id is not None:
        invalidate_tree(tree_id)


def _invalidate_for_wish(wish_id):
    tree_id = Wish.objects.filter(pk=wish_id).values_list("grid__tree_id", flat=True).first()
    if tree_id is not None:
        invalidate_tree(tree_id)


def _on_change(sender, instance, **kwargs):
    if sender is Claim:
        wish_id = instance.wish_id
        transaction.on_commit(lambda: _invalidate_for_wish(wish_id))
        return
    grid_id = getattr(instance, _GRID_OF[sender])
    if grid_id is not None:
        transaction.on_commit(lambda: _invalidate_for_grid(grid_id))


def connect_signals():
    for model in (*_GRID_OF, Claim):
        uid = f"portal.dashboard.{model._meta.label_lower}"
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}.delete")


# --- the numbers ------------------------------------------------------------------------------


def compute_dashboard(node, now=None):
    """Every number of the dashboard for `node`'s subtree (None: every street), uncached.

    About twenty grouped queries, whatever the size of the subtree. The result
    holds codes and numbers, not labels, so one entry serves every language.
    """
    now = now or timezone.now()
    if node is None:
        streets = _streets()
        parts = compute_streets(streets, everything=True, now=now)
        return merge_streets([parts[s.pk] for s in streets], now=now)
    today = timezone.localdate(now)
    children = list(node.get_children().order_by("lft"))
    nodes = [node, *children]
    subtree = Subtree.of(node)
    stats = grid_stats(nodes, now=now)
    data = {
        "computed_at": now,
        "node": node,
        "rows": [(n, stats[n.pk]) for n in nodes],
        "rainbow": [(n.name, stats[n.pk].by_category) for n in children or [node]],
        "totals": _totals([node], stats),
        "visits_by_week": _visits_by_week(subtree, today),
        "wishes": _wishes(subtree),
        "hours_by_month": _hours_by_month(subtree, today),
        "needs": _needs(subtree, today),
        "hot_needs": _hot_needs(subtree),
        "projects": _projects(subtree),
    }
    data.update(_leaders(subtree))
    return data


# --- every street: one part per street, added up ----------------------------------------------


def compute_streets(streets, everything=False, now=None):
    """{street pk: that street's part} for `streets`, uncached.

    The same grouped queries as `compute_dashboard`, grouped by street (the
    rows' grid node's tree) and restricted to the streets asked for; with
    `everything` (all the streets) nothing is restricted. A part holds what
    `merge_streets` adds up: counts by key, and the candidates for the top
    lists with their sort keys.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    trees = [s.tree_id for s in streets]
    by_tree = {s.tree_id: s.pk for s in streets}
    stats = grid_stats(streets, now=now)
    parts = {
        s.pk: {
            "computed_at": now,
            "street": s,
            "stats": stats[s.pk],
            "weeks": defaultdict(int),
            "wishes": defaultdict(int),
            "months": defaultdict(lambda: [Decimal("0"), 0]),
            "needs": defaultdict(int),
            "hot_needs": [],
            "projects": defaultdict(int),
            "top_volunteers": [],
            "top_units": [],
            "board_month": None,
        }
        for s in streets
    }

    # Rows are grouped by their own grid column and the nodes mapped to their
    # street here: a join to the tree in SQL would cost more than the grouping.
    tree_of = dict(Grid.objects.filter(tree_id__in=trees).values_list("pk", "tree_id"))

    def grouped(queryset, *fields):
        node = f"{queryset.model.scope_field}_id"
        if not everything:
            queryset = queryset.filter(**{f"{node}__in": list(tree_of)})
        return queryset.values(*fields, node=F(node)).order_by()

    def part(row):
        return parts[by_tree[tree_of[row["node"]]]]

    first_week = _week_start(today) - datetime.timedelta(weeks=WEEKS - 1)
    since = timezone.make_aware(datetime.datetime.combine(first_week, datetime.time()))
    for row in grouped(
        Visit.objects.filter(visited_at__gte=since).annotate(
            week=TruncWeek("visited_at", output_field=DateField())
        ),
        "week",
    ).annotate(n=Count("pk")):
        part(row)["weeks"][_local_date(row["week"])] += row["n"]
    for row in grouped(Wish.objects.all()).annotate(**_WISH_COUNTS):
        for k in _WISH_COUNTS:
            part(row)["wishes"][k] += row[k]
    service = _verified_service(today).annotate(month=TruncMonth("service_date"))
    for row in grouped(service, "month").annotate(hours=Sum("hours"), records=Count("pk")):
        month = part(row)["months"][row["month"]]
        month[0] += row["hours"] or Decimal("0")
        month[1] += row["records"]
    for row in grouped(Need.objects.all()).annotate(**_need_counts(today)):
        for k in _need_counts(today):
            part(row)["needs"][k] += row[k]
    hot = Need.objects.filter(status=Need.Status.OPEN, priority=Need.Priority.HOT)
    if not everything:
        hot = hot.filter(community__tree_id__in=trees)
    for need in hot.select_related("community").order_by(*_HOT_ORDER):
        candidates = parts[by_tree[need.community.tree_id]]["hot_needs"]
        if len(candidates) < HOT_NEEDS:
            candidates.append((_hot_key(need), _hot_need(need)))
    for row in grouped(Project.objects.all(), "status").annotate(n=Count("pk")):
        part(row)["projects"][row["status"]] += row["n"]
    month = _board_month()
    for p in parts.values():
        p["board_month"] = month
    if month is not None:
        totals = PointsTotal.objects.filter(period_kind=PeriodKind.MONTH, period_start=month, points__gt=0)
        if not everything:
            totals = totals.filter(street__tree_id__in=trees)
        for key, rows in _top_rows(totals, by_street=True):
            for total, entry in rows:
                parts[by_tree[total.street.tree_id]][key].append((_board_key(total), entry))
    for p in parts.values():
        for key in ("weeks", "wishes", "months", "needs", "projects"):
            p[key] = dict(p[key])  # a plain dict pickles for the cache
    return parts


def merge_streets(parts, now=None):
    """The dashboard of every street from their parts, in the shape `compute_dashboard` returns."""
    now = now or max((p["computed_at"] for p in parts), default=timezone.now())
    today = timezone.localdate(now)
    stats = {p["street"].pk: p["stats"] for p in parts}
    streets = [p["street"] for p in parts]
    first_week = _week_start(today) - datetime.timedelta(weeks=WEEKS - 1)
    weeks = [first_week + datetime.timedelta(weeks=k) for k in range(WEEKS)]
    months = _months(today)
    for p in parts:
        for start, (hours, records) in p["months"].items():
            month = months.get(start)
            if month is not None:  # a record dated in the future is no month's yet
                month[0] += hours
                month[1] += records
    data = {
        "computed_at": min((p["computed_at"] for p in parts), default=now),
        "node": None,
        "rows": [(s, stats[s.pk]) for s in streets],
        "rainbow": [(s.name, stats[s.pk].by_category) for s in streets],
        "totals": _totals(streets, stats),
        "visits_by_week": [(week, sum(p["weeks"].get(week, 0) for p in parts)) for week in weeks],
        "wishes": {k: sum(p["wishes"].get(k, 0) for p in parts) for k in _WISH_COUNTS},
        "hours_by_month": [(month, hours, records) for month, (hours, records) in months.items()],
        "needs": {k: sum(p["needs"].get(k, 0) for p in parts) for k in _need_counts(today)},
        "hot_needs": _best(parts, "hot_needs", HOT_NEEDS),
        "projects": [
            (status, sum(p["projects"].get(status, 0) for p in parts)) for status in Project.Status.values
        ],
        "board_month": parts[0]["board_month"] if parts else None,
        "top_volunteers": _best(parts, "top_volunteers", TOP),
        "top_units": _best(parts, "top_units", TOP),
    }
    return data


def _best(parts, key, n):
    """The first `n` of every part's candidates, by their sort keys."""
    candidates = sorted((c for p in parts for c in p[key]), key=lambda c: c[0])
    return [entry for _key, entry in candidates[:n]]


def _in(queryset, subtree):
    """Rows of `queryset` inside `subtree`: the one scoping rule, for a node."""
    return limit_to_scope(queryset, subtree, queryset.model.scope_field)


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


def _week_start(day):
    return day - datetime.timedelta(days=day.weekday())


def _local_date(week):
    """TruncWeek gives a datetime on PostgreSQL and a date on SQLite."""
    return timezone.localtime(week).date() if isinstance(week, datetime.datetime) else week


def _visits_by_week(subtree, today):
    first = _week_start(today) - datetime.timedelta(weeks=WEEKS - 1)
    since = timezone.make_aware(datetime.datetime.combine(first, datetime.time()))
    counts = {
        _local_date(row["week"]): row["n"]
        for row in _in(Visit.objects.filter(visited_at__gte=since), subtree)
        .annotate(week=TruncWeek("visited_at", output_field=DateField()))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by()
    }
    weeks = [first + datetime.timedelta(weeks=k) for k in range(WEEKS)]
    return [(week, counts.get(week, 0)) for week in weeks]


_CLAIMED = (Wish.Status.PARTLY_CLAIMED, Wish.Status.CLAIMED, Wish.Status.FULFILLED, Wish.Status.CONFIRMED)
_FULFILLED = (Wish.Status.FULFILLED, Wish.Status.CONFIRMED)
# The funnel: every wish reached the stages up to the one it is at. A closed
# wish counts as claimed and fulfilled when a claimant had fulfilled it (an
# unconfirmed fulfilment closes by itself), not when staff closed it unclaimed
# after its date.
_CLOSED_DONE = Q(status=Wish.Status.CLOSED, fulfilled_at__isnull=False)
_WISH_COUNTS = {
    "submitted": Count("pk"),
    "published": Count("pk", filter=Q(status__in=Wish.PUBLIC)),
    "claimed": Count("pk", filter=Q(status__in=_CLAIMED) | _CLOSED_DONE),
    "fulfilled": Count("pk", filter=Q(status__in=_FULFILLED) | _CLOSED_DONE),
    "confirmed": Count("pk", filter=Q(status=Wish.Status.CONFIRMED)),
    "waiting_review": Count("pk", filter=Q(status=Wish.Status.SUBMITTED)),
    "overdue": Count("pk", filter=Q(status=Wish.Status.PUBLISHED, overdue_at__isnull=False)),
}


def _wishes(subtree):
    return _in(Wish.objects.all(), subtree).aggregate(**_WISH_COUNTS)


def _months(today):
    first = add_months(today.replace(day=1), -(MONTHS - 1))
    return {add_months(first, k): [Decimal("0"), 0] for k in range(MONTHS)}


def _verified_service(today):
    """Verified attendance of the dashboard's months."""
    return ServiceRecord.objects.filter(
        service_date__gte=add_months(today.replace(day=1), -(MONTHS - 1)),
        verified_at__isnull=False,
        attendance__in=[ServiceRecord.Attendance.NORMAL, ServiceRecord.Attendance.LATE],
    )


def _hours_by_month(subtree, today):
    """Verified hours and person-times per month. Grouped by day in SQL — a plain column,
    so PostgreSQL hashes it instead of sorting every record by a computed month — and
    summed into months here."""
    months = _months(today)
    days = (
        _in(_verified_service(today), subtree)
        .values("service_date")
        .annotate(hours=Sum("hours"), records=Count("pk"))
        .order_by()
    )
    for row in days:
        month = months.get(row["service_date"].replace(day=1))
        if month is not None:  # a record dated in the future is no month's yet
            month[0] += row["hours"] or Decimal("0")
            month[1] += row["records"]
    return [(month, hours, records) for month, (hours, records) in months.items()]


def _need_counts(today):
    return {
        "open": Count("pk", filter=Q(status=Need.Status.OPEN)),
        "open_hot": Count("pk", filter=Q(status=Need.Status.OPEN, priority=Need.Priority.HOT)),
        "open_overdue": Count("pk", filter=Q(status=Need.Status.OPEN, wanted_by__lt=today)),
        "matched": Count("pk", filter=Q(status=Need.Status.MATCHED)),
        "closed": Count("pk", filter=Q(status=Need.Status.CLOSED)),
    }


def _needs(subtree, today):
    return _in(Need.objects.all(), subtree).aggregate(**_need_counts(today))


# Soonest wanted first, needs without a date after them (on every database).
_HOT_ORDER = (F("wanted_by").asc(nulls_last=True), "raised_on", "pk")


def _hot_key(need):
    return (need.wanted_by is None, need.wanted_by or datetime.date.min, need.raised_on, need.pk)


def _hot_need(need):
    return {
        "id": need.pk,
        "title": need.title,
        "community": need.community.name,
        "wanted_by": need.wanted_by,
        "kind": need.kind,
    }


def _hot_needs(subtree):
    needs = _in(Need.objects.filter(status=Need.Status.OPEN, priority=Need.Priority.HOT), subtree)
    return [_hot_need(n) for n in needs.select_related("community").order_by(*_HOT_ORDER)[:HOT_NEEDS]]


def _projects(subtree):
    counts = dict(
        _in(Project.objects.all(), subtree).values_list("status").annotate(n=Count("pk")).order_by()
    )
    return [(status, counts.get(status, 0)) for status in Project.Status.values]


def _board_month():
    """The month of the leaderboards: the last closed one, or the latest rolled up."""
    periods = PointsPeriod.objects.filter(kind=PeriodKind.MONTH)
    closed = (
        periods.filter(closed_at__isnull=False).order_by("-start").values_list("start", flat=True).first()
    )
    return closed or periods.order_by("-start").values_list("start", flat=True).first()


def _board_key(total):
    """PointsTotal.RANK_ORDER as a Python sort key."""
    return (-total.points, total.last_at, total.subject_type_id, total.subject_id)


def _top_rows(totals, by_street=False):
    """(key, [(total, entry), …]) for the top volunteers and the top units of `totals`:
    the first TOP overall, or with `by_street` the first TOP of each street."""
    for key, kind, model, place in (
        ("top_volunteers", SubjectKind.PERSON, Volunteer, "community"),
        ("top_units", SubjectKind.UNIT, MemberUnit, "grid"),
    ):
        rows = totals.filter(subject_kind=kind, subject_type=ContentType.objects.get_for_model(model))
        if by_street:
            rows = rows.annotate(
                place_in_street=Window(
                    RowNumber(), partition_by=[F("street_id")], order_by=PointsTotal.RANK_ORDER
                )
            ).filter(place_in_street__lte=TOP)
        rows = list(
            rows.select_related("street").order_by(*PointsTotal.RANK_ORDER)[: None if by_street else TOP]
        )
        subjects = model.objects.select_related(place).in_bulk([r.subject_id for r in rows])
        yield (
            key,
            [
                (
                    r,
                    {
                        "rank": r.rank,
                        "name": str(subjects[r.subject_id]) if r.subject_id in subjects else "—",
                        "place": getattr(subjects.get(r.subject_id), place).name
                        if r.subject_id in subjects
                        else "",
                        "street": r.street.name,
                        "points": r.points,
                    },
                )
                for r in rows
            ],
        )


def _leaders(subtree):
    """Top volunteers and units of the board month from the rollup's totals (street ranks)."""
    month = _board_month()
    result = {"board_month": month, "top_volunteers": [], "top_units": []}
    if month is None:
        return result
    totals = _in(
        PointsTotal.objects.filter(period_kind=PeriodKind.MONTH, period_start=month, points__gt=0), subtree
    )
    for key, rows in _top_rows(totals):
        result[key] = [entry for _total, entry in rows]
    return result


def dashboard_sheets(data):
    """The dashboard's numbers as workbook sheets (title, headers, rows) for portal.xlsx."""
    from django.utils.translation import gettext as _
    from django.utils.translation import pgettext

    category_labels = [(c.value, str(c.label)) for c in Household.Category]
    status_labels = dict(Project.Status.choices)
    wishes = data["wishes"]
    return [
        (
            _("网格概况"),
            [
                _("名称"),
                _("层级"),
                _("住户"),
                *[label for _v, label in category_labels],
                _("本月走访"),
                _("逾期未走访"),
                _("待跟进"),
            ],
            [
                (
                    node.name,
                    str(node.get_kind_display()),
                    s.households,
                    *[s.by_category.get(value, 0) for value, _l in category_labels],
                    s.visits_this_month,
                    s.overdue,
                    s.follow_ups_open,
                )
                for node, s in data["rows"]
            ],
        ),
        (
            _("每周走访"),
            [_("周（周一）"), _("走访次数")],
            [(week.isoformat(), n) for week, n in data["visits_by_week"]],
        ),
        (
            _("微心愿"),
            [_("阶段"), _("件数")],
            [
                (pgettext("wish stage", "提交"), wishes["submitted"]),
                (pgettext("wish stage", "发布"), wishes["published"]),
                (pgettext("wish stage", "认领"), wishes["claimed"]),
                (pgettext("wish stage", "完成"), wishes["fulfilled"]),
                (_("居民确认"), wishes["confirmed"]),
                (_("待审核"), wishes["waiting_review"]),
                (_("逾期无人认领"), wishes["overdue"]),
            ],
        ),
        (
            _("志愿服务时长"),
            [_("月份"), _("已核验时长（小时）"), _("服务人次")],
            [(f"{m:%Y-%m}", float(h), r) for m, h, r in data["hours_by_month"]],
        ),
        (
            _("志愿服务之星"),
            [_("街道排名"), _("志愿者"), _("社区"), _("街道"), _("积分")],
            [
                (v["rank"], v["name"], v["place"], v["street"], float(v["points"]))
                for v in data["top_volunteers"]
            ],
        ),
        (
            _("驻区单位积分"),
            [_("街道排名"), _("单位"), _("所在"), _("街道"), _("积分")],
            [(u["rank"], u["name"], u["place"], u["street"], float(u["points"])) for u in data["top_units"]],
        ),
        (
            _("需求清单"),
            [_("状态"), _("项数")],
            [
                (_("待匹配"), data["needs"]["open"]),
                (_("其中热点"), data["needs"]["open_hot"]),
                (_("其中已过期望日期"), data["needs"]["open_overdue"]),
                (_("已匹配"), data["needs"]["matched"]),
                (_("已关闭"), data["needs"]["closed"]),
            ],
        ),
        (
            _("项目清单"),
            [_("状态"), _("项数")],
            [(str(status_labels[status]), n) for status, n in data["projects"]],
        ),
    ]


def chart_payload(data):
    """What the page's charts draw, with labels in the current language (for json_script)."""
    from django.utils.translation import gettext as _
    from django.utils.translation import pgettext

    wishes = data["wishes"]
    return {
        "rainbow": {
            "places": [name for name, _counts in data["rainbow"]],
            "series": [
                {
                    "name": str(category.label),
                    "color": Household.COLOURS[category],
                    "data": [counts.get(category.value, 0) for _name, counts in data["rainbow"]],
                }
                for category in Household.Category
            ],
        },
        "visits": {
            "label": _("走访次数"),
            "weeks": [f"{week:%m-%d}" for week, _n in data["visits_by_week"]],
            "counts": [n for _week, n in data["visits_by_week"]],
        },
        "funnel": [
            {"name": pgettext("wish stage", "提交"), "value": wishes["submitted"]},
            {"name": pgettext("wish stage", "发布"), "value": wishes["published"]},
            {"name": pgettext("wish stage", "认领"), "value": wishes["claimed"]},
            {"name": pgettext("wish stage", "完成"), "value": wishes["fulfilled"]},
            {"name": _("居民确认"), "value": wishes["confirmed"]},
        ],
        "hours": {
            "label": _("小时"),
            "months": [f"{month:%Y-%m}" for month, _hours, _records in data["hours_by_month"]],
            "hours": [float(hours) for _month, hours, _records in data["hours_by_month"]],
        },
        "needs": [
            {"name": _("待匹配（一般）"), "value": data["needs"]["open"] - data["needs"]["open_hot"]},
            {"name": _("待匹配（热点）"), "value": data["needs"]["open_hot"]},
            {"name": _("已匹配"), "value": data["needs"]["matched"]},
            {"name": _("已关闭"), "value": data["needs"]["closed"]},
        ],
        "projects": [
            {"name": str(label), "value": dict(data["projects"]).get(status, 0)}
            for status, label in Project.Status.choices
        ],
    }
