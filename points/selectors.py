"""Scoped reads of the points ledger, its totals and the leaderboards.

Entries and totals carry the grid node of their subject, so the one scoping
rule limits them like everything else. Leaderboards are public to signed-in
people of the street they rank: a volunteer sees their home street's, staff
the streets of their scope.
"""

from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404

from points.models import (
    PeriodKind,
    PointsEntry,
    PointsPeriod,
    PointsRule,
    PointsTotal,
    SubjectKind,
    rank_key,
)
from points.subjects import model_of_kind, person_of_user
from portal.access import node_of, visible
from portal.months import day_start
from portal.scoping import EVERYTHING, NOTHING, grid_model, limit_to_scope, scope_of, scope_queryset


def rules_visible_to(user):
    """The district's default rules, and the rules of the streets in the user's scope."""
    return visible(PointsRule.objects.select_related("street"), user, also=Q(street__isnull=True))


def get_rule_for_user_or_404(user, pk):
    return get_object_or_404(rules_visible_to(user), pk=pk)


def points_entries_visible_to(user):
    return scope_queryset(PointsEntry.objects.select_related("rule", "street", "grid"), user)


def get_points_entry_for_user_or_404(user, pk):
    return get_object_or_404(points_entries_visible_to(user), pk=pk)


def _ct(model):
    return ContentType.objects.get_for_model(model)


def points_of(subject, date_from, date_until):
    """Live sum from the ledger, for one subject, in [date_from, date_until)."""
    total = PointsEntry.objects.filter(
        subject_type=_ct(type(subject)),
        subject_id=subject.pk,
        occurred_at__gte=day_start(date_from),
        occurred_at__lt=day_start(date_until),
    ).aggregate(points=Sum("points"))["points"]
    return total or Decimal("0")


def rank_of(subject, kind, start):
    """The subject's row of the last rollup for the period, with its `rank`, or None."""
    return (
        PointsTotal.objects.filter(
            subject_type=_ct(type(subject)), subject_id=subject.pk, period_kind=kind, period_start=start
        )
        .with_rank()
        .first()
    )


def last_rollup_at():
    return (
        PointsPeriod.objects.filter(kind=PeriodKind.MONTH)
        .order_by("-computed_at")
        .values_list("computed_at", flat=True)
        .first()
    )


@dataclass
class BoardRow:
    rank: int
    points: Decimal
    subject: object
    label: str
    community: str


def leaderboard(street, kind, start, subject_kind, top):
    """The top `top` subjects of a street for a period, from the rollup (points above zero).

    The rows come in rank order from the leaderboard index, so each one's rank is its place.
    """
    rows = list(
        PointsTotal.objects.filter(
            period_kind=kind, period_start=start, street=street, subject_kind=subject_kind, points__gt=0
        ).order_by(*PointsTotal.RANK_ORDER)[:top]
    )
    model = model_of_kind(subject_kind)
    subjects = {}
    if model is not None:
        ct = _ct(model)
        subjects = model.objects.select_related(model.scope_field).in_bulk(
            [r.subject_id for r in rows if r.subject_type_id == ct.pk]
        )
    board = []
    for place, row in enumerate(rows, start=1):
        subject = subjects.get(row.subject_id)
        board.append(
            BoardRow(
                rank=place,
                points=row.points,
                subject=subject,
                label=str(subject) if subject else "—",
                community=node_of(subject).name if subject else "",
            )
        )
    return board


def home_street(user):
    """The street of the person a login earns points as, or None."""
    person = person_of_user(user)
    if person is None:
        return None
    node = node_of(person)
    return node if node.parent_id is None else node.get_root()


def leaderboard_street(user, requested=None):
    """The street whose boards the user sees: their home street, or one in their staff scope."""
    scope = scope_of(user)
    streets = grid_model().objects.filter(kind="street")
    if scope is not EVERYTHING:
        allowed = Q(pk__in=[])
        if scope is not NOTHING:
            allowed |= Q(tree_id=scope.tree_id)
        home = home_street(user)
        if home is not None:
            allowed |= Q(pk=home.pk)
        streets = streets.filter(allowed)
    streets = list(streets.order_by("code"))
    chosen = next((s for s in streets if str(s.pk) == str(requested)), None)
    return chosen or (streets[0] if streets else None), streets


def rolled_up_months(limit=12):
    """(first day, closed) of the latest months that have totals, newest first."""
    periods = PointsPeriod.objects.filter(kind=PeriodKind.MONTH).order_by("-start")
    return [(p.start, p.closed_at is not None) for p in periods[:limit]]


def stars_context(street, month, year):
    return OrderedDict(
        month_stars=leaderboard(
            street, PeriodKind.MONTH, month, SubjectKind.PERSON, settings.VOLUNTEER_STARS_TOP_N
        ),
        year_stars=leaderboard(
            street, PeriodKind.YEAR, year, SubjectKind.PERSON, settings.VOLUNTEER_STARS_TOP_N
        ),
        month_units=leaderboard(
            street, PeriodKind.MONTH, month, SubjectKind.UNIT, settings.VOLUNTEER_UNITS_TOP_N
        ),
        month_teams=leaderboard(
            street, PeriodKind.MONTH, month, SubjectKind.TEAM, settings.VOLUNTEER_UNITS_TOP_N
        ),
    )


# --- numbers for the staff dashboard and the monthly report ----------------------------------------------


def board_month():
    """The month the leaderboards show: the last closed one, or else the latest rolled up."""
    periods = PointsPeriod.objects.filter(kind=PeriodKind.MONTH)
    closed = (
        periods.filter(closed_at__isnull=False).order_by("-start").values_list("start", flat=True).first()
    )
    return closed or periods.order_by("-start").values_list("start", flat=True).first()


def top_subjects(scope, month, kind, top, *, per_street=False):
    """The best-ranked subjects of `kind` in `month`'s rollup inside `scope` (points above zero).

    The first `top` overall, or with `per_street` the first `top` of each
    street, for a scope made of whole streets (EVERYTHING or `Streets`), where
    a row's place in its street's list is its rank. Dicts of rank (in the
    street), name, place, street, street_id, points, and `key`, a sort key
    that merges the lists of several streets in rank order.
    """
    model = model_of_kind(kind)
    if model is None or month is None:
        return []
    totals = limit_to_scope(
        PointsTotal.objects.filter(
            period_kind=PeriodKind.MONTH,
            period_start=month,
            points__gt=0,
            subject_kind=kind,
            subject_type=_ct(model),
        ),
        scope,
        PointsTotal.scope_field,
    )
    if per_street:
        totals = totals.annotate(
            place_in_street=Window(
                RowNumber(), partition_by=[F("street_id")], order_by=PointsTotal.RANK_ORDER
            )
        ).filter(place_in_street__lte=top)
    rows = list(
        totals.select_related("street").order_by(*PointsTotal.RANK_ORDER)[: None if per_street else top]
    )
    if per_street:
        for row in rows:
            row.rank = row.place_in_street
    else:
        PointsTotal.objects.set_ranks(rows)
    subjects = model.objects.select_related(model.scope_field).in_bulk([r.subject_id for r in rows])
    return [
        {
            "key": rank_key(r),
            "rank": r.rank,
            "name": str(subjects[r.subject_id]) if r.subject_id in subjects else "—",
            "place": node_of(subjects[r.subject_id]).name if r.subject_id in subjects else "",
            "street": r.street.name,
            "street_id": r.street_id,
            "points": r.points,
        }
        for r in rows
    ]


def month_points(subjects, month):
    """The rollup of `month` for `subjects` (instances of one model): when it ran, whether
    the month is closed, and {subject pk: (points, entries, rank)} for those with a total."""
    subjects = list(subjects)
    period = PointsPeriod.objects.filter(kind=PeriodKind.MONTH, start=month).first()
    totals = {}
    if subjects:
        rows = PointsTotal.objects.set_ranks(
            PointsTotal.objects.filter(
                period_kind=PeriodKind.MONTH,
                period_start=month,
                subject_type=_ct(type(subjects[0])),
                subject_id__in=[s.pk for s in subjects],
            )
        )
        totals = {t.subject_id: (t.points, t.entries, t.rank) for t in rows}
    return {
        "computed_at": period.computed_at if period else None,
        "closed": bool(period and period.closed_at),
        "totals": totals,
    }
