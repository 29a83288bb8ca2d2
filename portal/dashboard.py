"""The staff dashboard's numbers: the aggregates of one scope node, computed and cached.

`dashboard_data(user)` returns the numbers of the user's scope (a street, a
community or a grid; everything for a superuser). They depend on the scope node
only, never on the person, so every user with the same scope shares one cache
entry.

Caching. An entry is stored under the scope node's lft/rght range and the
current *generation* of its street (one generation per tree; superusers'
"everything" has a generation of its own):

    dashboard:v1:<tree>:<lft>:<rght>:<generation>    the numbers, for DASHBOARD_CACHE_SECONDS

Saving or deleting, through the ORM, a row the dashboard counts — a household,
visit, wish, claim, service record, need or project — moves its street's
generation (and the "everything" one) on after the transaction commits, so the
next request computes fresh numbers; old entries are never read again and
expire. Writes that bypass the ORM's signals — the points rollup (raw SQL),
bulk imports, the nightly jobs' UPDATEs — show up when the entry expires:
DASHBOARD_CACHE_SECONDS (default 120) bounds how stale the dashboard can be.
The cache is Django's (Redis with REDIS_URL, shared by every process;
otherwise per process). `compute_dashboard(node)` is the uncached computation
(bench/dashboard.py compares both).
"""

import datetime
import time
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from alliances.models import MemberUnit, Need, Project, add_months
from grids.models import Grid, Household, Visit
from grids.selectors import grid_stats
from portal.scoping import EVERYTHING, NOTHING, Subtree, limit_to_scope, scope_of
from volunteers.models import PeriodKind, PointsPeriod, PointsTotal, ServiceRecord, SubjectKind, Volunteer
from wishes.models import Claim, Wish

CACHE_VERSION = 1
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


def _entry_key(user):
    scope = scope_of(user)
    if scope is NOTHING:
        return None
    if scope is EVERYTHING:
        return f"dashboard:v{CACHE_VERSION}:all:{_generation(_generation_key('all'))}"
    generation = _generation(_generation_key(scope.tree_id))
    return f"dashboard:v{CACHE_VERSION}:{scope.tree_id}:{scope.lft}:{scope.rght}:{generation}"


def dashboard_data(user):
    """The user's scope's numbers, from the cache when they are there (None without a scope)."""
    key = _entry_key(user)
    if key is None:
        return None
    data = cache.get(key)
    if data is None:
        data = compute_dashboard(_scope_node(user))
        cache.set(key, data, settings.DASHBOARD_CACHE_SECONDS)
    return data


def _scope_node(user):
    scope = scope_of(user)
    if scope is EVERYTHING:
        return None
    return Grid.objects.get(tree_id=scope.tree_id, lft=scope.lft, rght=scope.rght)


def invalidate_tree(tree_id):
    """Move a street's generation (and the superusers') on: its dashboards are computed afresh."""
    for key in (_generation_key(tree_id), _generation_key("all")):
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
    today = timezone.localdate(now)
    if node is None:
        nodes = list(Grid.objects.filter(kind=Grid.Kind.STREET).order_by("tree_id"))
        rows_of = nodes
        subtree = None
    else:
        children = list(node.get_children().order_by("lft"))
        nodes = [node, *children]
        rows_of = children or [node]
        subtree = Subtree.of(node)
    stats = grid_stats(nodes, now=now)
    data = {
        "computed_at": now,
        "node": node,
        "rows": [(n, stats[n.pk]) for n in nodes],
        "rainbow": [(n.name, stats[n.pk].by_category) for n in rows_of],
        "totals": _totals(nodes if node is None else [node], stats),
        "visits_by_week": _visits_by_week(subtree, today),
        "wishes": _wishes(subtree),
        "hours_by_month": _hours_by_month(subtree, today),
        "needs": _needs(subtree, today),
        "hot_needs": _hot_needs(subtree),
        "projects": _projects(subtree),
    }
    data.update(_leaders(subtree))
    return data


def _in(queryset, subtree):
    """Rows of `queryset` inside `subtree` (None: everywhere): the one scoping rule, for a node."""
    return limit_to_scope(queryset, EVERYTHING if subtree is None else subtree, queryset.model.scope_field)


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


def _visits_by_week(subtree, today):
    first = _week_start(today) - datetime.timedelta(weeks=WEEKS - 1)
    since = timezone.make_aware(datetime.datetime.combine(first, datetime.time()))
    counts = {
        timezone.localtime(row["week"]).date()
        if isinstance(row["week"], datetime.datetime)
        else row["week"]: row["n"]
        for row in _in(Visit.objects.filter(visited_at__gte=since), subtree)
        .annotate(week=TruncWeek("visited_at"))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by()
    }
    weeks = [first + datetime.timedelta(weeks=k) for k in range(WEEKS)]
    return [(week, counts.get(week, 0)) for week in weeks]


_CLAIMED = (Wish.Status.PARTLY_CLAIMED, Wish.Status.CLAIMED, Wish.Status.FULFILLED, Wish.Status.CONFIRMED)
_FULFILLED = (Wish.Status.FULFILLED, Wish.Status.CONFIRMED)


def _wishes(subtree):
    """The funnel: every wish reached the stages up to the one it is at.

    A closed wish counts as claimed and fulfilled when a claimant had fulfilled
    it (an unconfirmed fulfilment closes by itself), not when staff closed it
    unclaimed after its date.
    """
    closed_done = Q(status=Wish.Status.CLOSED, fulfilled_at__isnull=False)
    return _in(Wish.objects.all(), subtree).aggregate(
        submitted=Count("pk"),
        published=Count("pk", filter=Q(status__in=Wish.PUBLIC)),
        claimed=Count("pk", filter=Q(status__in=_CLAIMED) | closed_done),
        fulfilled=Count("pk", filter=Q(status__in=_FULFILLED) | closed_done),
        confirmed=Count("pk", filter=Q(status=Wish.Status.CONFIRMED)),
        waiting_review=Count("pk", filter=Q(status=Wish.Status.SUBMITTED)),
        overdue=Count("pk", filter=Q(status=Wish.Status.PUBLISHED, overdue_at__isnull=False)),
    )


def _hours_by_month(subtree, today):
    """Verified hours and person-times per month. Grouped by day in SQL — a plain column,
    so PostgreSQL hashes it instead of sorting every record by a computed month — and
    summed into months here."""
    first = add_months(today.replace(day=1), -(MONTHS - 1))
    months = {add_months(first, k): [Decimal("0"), 0] for k in range(MONTHS)}
    days = (
        _in(
            ServiceRecord.objects.filter(
                service_date__gte=first,
                verified_at__isnull=False,
                attendance__in=[ServiceRecord.Attendance.NORMAL, ServiceRecord.Attendance.LATE],
            ),
            subtree,
        )
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


def _needs(subtree, today):
    return _in(Need.objects.all(), subtree).aggregate(
        open=Count("pk", filter=Q(status=Need.Status.OPEN)),
        open_hot=Count("pk", filter=Q(status=Need.Status.OPEN, priority=Need.Priority.HOT)),
        open_overdue=Count("pk", filter=Q(status=Need.Status.OPEN, wanted_by__lt=today)),
        matched=Count("pk", filter=Q(status=Need.Status.MATCHED)),
        closed=Count("pk", filter=Q(status=Need.Status.CLOSED)),
    )


def _hot_needs(subtree):
    needs = _in(Need.objects.filter(status=Need.Status.OPEN, priority=Need.Priority.HOT), subtree)
    return [
        {
            "id": n.pk,
            "title": n.title,
            "community": n.community.name,
            "wanted_by": n.wanted_by,
            "kind": n.kind,
        }
        for n in needs.select_related("community").order_by("wanted_by", "raised_on", "pk")[:HOT_NEEDS]
    ]


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


def _leaders(subtree):
    """Top volunteers and units of the board month from the rollup's totals (street ranks)."""
    month = _board_month()
    result = {"board_month": month, "top_volunteers": [], "top_units": []}
    if month is None:
        return result
    totals = _in(
        PointsTotal.objects.filter(period_kind=PeriodKind.MONTH, period_start=month, points__gt=0), subtree
    )
    for key, kind, model, place in (
        ("top_volunteers", SubjectKind.PERSON, Volunteer, "community"),
        ("top_units", SubjectKind.UNIT, MemberUnit, "grid"),
    ):
        rows = list(
            totals.filter(subject_kind=kind, subject_type=ContentType.objects.get_for_model(model))
            .select_related("street")
            .order_by(*PointsTotal.RANK_ORDER)[:TOP]
        )
        subjects = model.objects.select_related(place).in_bulk([r.subject_id for r in rows])
        result[key] = [
            {
                "rank": r.rank,
                "name": str(subjects[r.subject_id]) if r.subject_id in subjects else "—",
                "place": getattr(subjects.get(r.subject_id), place).name if r.subject_id in subjects else "",
                "street": r.street.name,
                "points": r.points,
            }
            for r in rows
        ]
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
