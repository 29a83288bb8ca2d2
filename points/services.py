"""Writes of the points ledger and its rollup: the one way points are earned and summed.

Other apps award through `points_award` (or `points_award_to_user` for a
login); the award books one entry, at most once per rule, subject and source,
and asks for the current month's totals (hence the ranks read from them) to
be refreshed a few minutes later, whatever app the points came from. The
rollup turns the ledger into totals per month, quarter and year (see
`points.rollup` for the SQL).
"""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from points import rollup
from points.models import PeriodKind, PointsEntry, PointsPeriod, PointsRule
from points.subjects import person_of_user
from portal.access import node_of, staff_over
from portal.locks import advisory_xact_lock
from portal.months import add_months, day_start, month_start, next_month, quarter_start
from portal.queue import enqueue_on_commit
from portal.scoping import scope_node

logger = logging.getLogger(__name__)


# --- the ledger ----------------------------------------------------------------------


def _rules_for(codes, street_ids):
    """{(code, street id): the rule that applies there}: the street's own rule, else the district's."""
    rules = {}
    defaults = {}
    for rule in PointsRule.objects.filter(code__in=codes).filter(
        Q(street__in=street_ids) | Q(street__isnull=True)
    ):
        if rule.street_id is None:
            defaults[rule.code] = rule
        else:
            rules[(rule.code, rule.street_id)] = rule
    for code, rule in defaults.items():
        for street_id in street_ids:
            rules.setdefault((code, street_id), rule)
    return rules


def _entry(rule, subject, node, street_id, source, occurred_at, quantity, note):
    quantity = Decimal(str(quantity))
    return PointsEntry(
        rule=rule,
        subject_kind=rule.subject_kind,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        subject_label=str(subject)[:100],
        street_id=street_id,
        grid=node,
        source_type=ContentType.objects.get_for_model(source),
        source_id=source.pk,
        quantity=quantity,
        points=(rule.points * quantity).quantize(Decimal("0.01")),
        occurred_at=occurred_at,
        note=note,
    )


def points_award(*, rule_code, subject, source, occurred_at=None, quantity=1, note=""):
    """Credit `subject` under the rule `rule_code` for `source`; safe to call twice.

    Returns the new entry, or None when nothing is owed: the rule does not
    exist or is not active on that day, or this source already earned it.
    `subject` is any model with `points_subject_kind` and `scope_field`.
    """
    occurred_at = occurred_at or timezone.now()
    node = node_of(subject)
    street_id = node.get_root().pk if node.parent_id else node.pk
    rule = _rules_for({rule_code}, {street_id}).get((rule_code, street_id))
    if rule is None or not rule.is_active_on(timezone.localdate(occurred_at)):
        return None
    if subject.points_subject_kind != rule.subject_kind:
        raise ValueError(f"rule {rule_code} is for {rule.subject_kind}, not {subject.points_subject_kind}")
    entry = _entry(rule, subject, node, street_id, source, occurred_at, quantity, note)
    try:
        # A savepoint: a duplicate must not spoil the caller's transaction.
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        return None
    points_rollup_soon()
    return entry


@dataclass(frozen=True)
class Award:
    """One award for `points_award_bulk`: what `points_award` takes, as a value."""

    rule_code: str
    subject: object
    source: object
    occurred_at: datetime.datetime
    quantity: Decimal = Decimal("1")
    note: str = ""


def points_award_bulk(*, awards):
    """Book many awards at once (demo data, bulk back-fills): the entries `points_award` would book.

    Awards whose rule is missing or inactive on the day are skipped, and so
    are those already booked (the ledger's unique key). Ranks are not
    refreshed: a caller booking in bulk runs the rollup when it is done.
    Returns the number of entries offered to the ledger.
    """
    awards = list(awards)
    nodes = [node_of(a.subject) for a in awards]
    streets = {}
    for model in {type(node) for node in nodes}:
        roots = model.objects.filter(tree_id__in={n.tree_id for n in nodes}, parent__isnull=True)
        streets.update(roots.values_list("tree_id", "pk"))
    rules = _rules_for({a.rule_code for a in awards}, set(streets.values()))
    entries = []
    for award, node in zip(awards, nodes, strict=True):
        rule = rules.get((award.rule_code, streets[node.tree_id]))
        if rule is None or not rule.is_active_on(timezone.localdate(award.occurred_at)):
            continue
        entries.append(
            _entry(
                rule,
                award.subject,
                node,
                streets[node.tree_id],
                award.source,
                award.occurred_at,
                award.quantity,
                award.note,
            )
        )
    PointsEntry.objects.bulk_create(entries, batch_size=2000, ignore_conflicts=True)
    return len(entries)


def points_award_to_user(*, rule_code, user, source, occurred_at=None, quantity=1, note=""):
    """Award to the person a login earns points as (a volunteer record), if it has one."""
    person = person_of_user(user)
    if person is None:
        return None
    return points_award(
        rule_code=rule_code,
        subject=person,
        source=source,
        occurred_at=occurred_at,
        quantity=quantity,
        note=note,
    )


@transaction.atomic
def points_reverse(*, entry, note):
    """Cancel an entry with a reversing one, booked now (corrections post in the current period)."""
    entry = PointsEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.reverses_id is not None:
        raise ValueError("a reversing entry cannot itself be reversed")
    if PointsEntry.objects.filter(reverses=entry).exists():
        raise ValueError("this entry is already reversed")
    reversal = PointsEntry(
        rule=entry.rule,
        subject_kind=entry.subject_kind,
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
        subject_label=entry.subject_label,
        street=entry.street,
        grid=entry.grid,
        source_type=entry.source_type,
        source_id=entry.source_id,
        quantity=-entry.quantity,
        points=-entry.points,
        occurred_at=max(timezone.now(), entry.occurred_at + datetime.timedelta(seconds=1)),
        reverses=entry,
        note=note,
    )
    reversal.save()
    return reversal


def points_entry_correct(*, entry, user, note):
    """A person's correction of an entry: their permission, a reason, then a reversing entry."""
    if not user.has_perm("points.reverse_pointsentry"):
        raise PermissionDenied
    note = (note or "").strip()
    if len(note) < 2:
        raise ValidationError(_("请写明冲销原因。"))
    try:
        return points_reverse(entry=entry, note=f"{note}（{user.get_username()}）"[:200])
    except ValueError:
        if entry.reverses_id is not None:
            raise ValidationError(_("冲销记录本身不能再被冲销。")) from None
        raise ValidationError(_("这条记录已经冲销过了。")) from None


def _street_of(user):
    node = scope_node(user)
    if node is None:
        return None
    return node if node.parent_id is None else node.get_root()


@transaction.atomic
def points_rule_update(*, rule, user, name, points, active_from=None, active_until=None, description=""):
    """Change a rule's name, value or dates. Its code and kind stay: services award by code.

    The district's default rules are a superuser's to change; when a street's
    staff change one, their street gets a rule of its own (the default stays
    as it is for the other streets). A street's rule is changed by the staff
    over that street. Entries already booked keep the points they were booked with.
    """
    if not user.has_perm("points.change_pointsrule"):
        raise PermissionDenied
    rule = PointsRule.objects.select_for_update().get(pk=rule.pk)
    if rule.is_default and not user.is_superuser:
        street = _street_of(user)
        if street is None:
            raise PermissionDenied(_("只有超级管理员可以修改全区默认规则。"))
        own = PointsRule.objects.select_for_update().filter(code=rule.code, street=street).first()
        rule = own or PointsRule(
            code=rule.code, street=street, subject_kind=rule.subject_kind, basis=rule.basis
        )
    elif not rule.is_default and not staff_over(user, rule.street, "points.change_pointsrule"):
        raise PermissionDenied
    rule.name, rule.points, rule.description = name, points, description
    rule.active_from, rule.active_until = active_from, active_until
    rule.full_clean()
    rule.save()
    return rule


# --- the rollup ----------------------------------------------------------------------

ROLLUP_LOCK = "points.rollup"
LARGE_REWRITE = 100_000  # rows written by one rollup after which planner statistics are refreshed


@dataclass
class RollupResult:
    months: list
    quarters: list
    years: list
    subjects: int = 0
    entries: int = 0
    written: int = 0
    changes_only: bool = False  # the nightly run that summed only the subjects with new entries

    def __str__(self):
        names = [f"{m:%Y-%m}" for m in self.months]
        return (
            f"months {', '.join(names) or '—'}; quarters {len(self.quarters)}; years {len(self.years)}; "
            f"{self.entries} entries, {self.subjects} month totals, {self.written} rows written"
        )


def _months_to_fill(months, today):
    """Months of the same years, up to this month, that were never rolled up.

    A quarter is the sum of its months and a year of its quarters, so every
    month they cover must have been rolled up at least once.
    """
    years = {m.year for m in months}
    done = set(
        PointsPeriod.objects.filter(kind=PeriodKind.MONTH, start__year__in=years).values_list(
            "start", flat=True
        )
    )
    fill = set()
    for year in years:
        day = datetime.date(year, 1, 1)
        while day.year == year and day <= today:
            if day not in done:
                fill.add(day)
            day = next_month(day)
    return fill


@transaction.atomic
def points_rollup(*, months, close=False, now=None):
    """Recompute the totals of `months`, their quarters and their years.

    Each period's rows are replaced in this one transaction, under one lock,
    so a re-run or a redelivered task gives identical rows and two runs never
    interleave. Quarters and years are recomputed when one of their months
    changed (or they were never computed). `close` marks the months closed:
    the nightly job leaves them alone from then on (an explicit re-run still
    recomputes them).
    """
    now = now or timezone.now()
    advisory_xact_lock(ROLLUP_LOCK)
    rollup.tune_session()
    requested = {month_start(m) for m in months}
    current = month_start(timezone.localdate(now))
    months = requested | _months_to_fill(requested, timezone.localdate(now))
    # Closing closes the months asked for and the past months filled in with
    # them (a year's months before its first entry): all of them are over.
    closing = {m for m in months if m in requested or m < current} if close else set()
    result = RollupResult(months=sorted(months), quarters=[], years=[])
    # Taken before the months are read: an entry committing in between is
    # then newer than the watermark, and the next nightly run picks it up.
    watermark = rollup.highest_entry_id()
    changed = set()
    for month in result.months:
        subjects, entries, written = rollup.replace_month(
            month, day_start(month), day_start(next_month(month)), watermark
        )
        result.subjects += subjects
        result.entries += entries
        result.written += written
        if written:
            changed.add(month)
        _record_period(PeriodKind.MONTH, month, now, watermark, entries, month in closing)
    # A quarter is a function of its months' totals, a year of its quarters':
    # when none of those moved (and the period was computed before), it stands.
    quarters = {quarter_start(m) for m in months}
    fresh_quarters = quarters - _computed(PeriodKind.QUARTER, quarters)
    result.quarters = sorted({quarter_start(m) for m in changed} | fresh_quarters)
    changed_quarters = set()
    for quarter in result.quarters:
        end = add_months(quarter, 3)
        written = rollup.replace_from_children(PeriodKind.QUARTER, quarter, PeriodKind.MONTH, quarter, end)[2]
        result.written += written
        if written:
            changed_quarters.add(quarter)
        _record_period(PeriodKind.QUARTER, quarter, now, watermark, None, False)
    # The quarters that stand are the sums of their months as of this run too:
    # saying so lets the next nightly run update only what changes after it.
    _stand(PeriodKind.QUARTER, quarters - set(result.quarters), now, watermark)
    years = {datetime.date(m.year, 1, 1) for m in months}
    fresh_years = years - _computed(PeriodKind.YEAR, years)
    result.years = sorted({datetime.date(q.year, 1, 1) for q in changed_quarters} | fresh_years)
    for year in result.years:
        end = datetime.date(year.year + 1, 1, 1)
        result.written += rollup.replace_from_children(PeriodKind.YEAR, year, PeriodKind.QUARTER, year, end)[
            2
        ]
        _record_period(PeriodKind.YEAR, year, now, watermark, None, False)
    _stand(PeriodKind.YEAR, years - set(result.years), now, watermark)
    if result.written > LARGE_REWRITE:
        rollup.refresh_statistics()
    return result


def _stand(kind, starts, now, watermark):
    if starts:
        PointsPeriod.objects.filter(kind=kind, start__in=starts).update(computed_at=now, watermark=watermark)


def _computed(kind, starts):
    return set(PointsPeriod.objects.filter(kind=kind, start__in=starts).values_list("start", flat=True))


def _record_period(kind, start, now, watermark, entries, close):
    period, _created = PointsPeriod.objects.get_or_create(
        kind=kind, start=start, defaults={"computed_at": now}
    )
    period.computed_at, period.watermark = now, watermark
    if entries is not None:
        period.entries = entries
    if close and period.closed_at is None:
        period.closed_at = now
    period.save()


def _changed(month):
    """Whether the ledger of a month differs from what its last rollup saw.

    The ledger only grows, so a different count means new entries, even one
    that committed late with an id below the watermark; a higher id than the
    watermark catches the rest.
    """
    period = PointsPeriod.objects.filter(kind=PeriodKind.MONTH, start=month).first()
    if period is None:
        return True
    count, highest = rollup.ledger_state(day_start(month), day_start(next_month(month)))
    return count != period.entries or highest > period.watermark


@transaction.atomic
def points_rollup_changes(*, month, close=False, now=None):
    """The nightly run of one month: only the subjects with entries booked since its last rollup.

    The new entries are summed per subject and added to their month, quarter
    and year totals (`points.rollup.update_changed`); everyone else's rows
    stay as they are, and the ranks, read from the totals, follow the new
    points. The result is
    what `points_rollup(months=[month])` gives; it is what runs instead
    whenever the month, its quarter and its year were rolled up together
    before and the ledger only grew above that run's watermark. Otherwise (a
    first run, an entry that committed late below the watermark) it runs the
    full recompute.
    """
    now = now or timezone.now()
    month = month_start(month)
    quarter, year = quarter_start(month), datetime.date(month.year, 1, 1)
    advisory_xact_lock(ROLLUP_LOCK)
    rollup.tune_session()
    periods = {
        (p.kind, p.start): p
        for p in PointsPeriod.objects.select_for_update().filter(
            Q(kind=PeriodKind.MONTH, start=month)
            | Q(kind=PeriodKind.QUARTER, start=quarter)
            | Q(kind=PeriodKind.YEAR, start=year)
        )
    }
    this = periods.get((PeriodKind.MONTH, month))
    together = (
        this is not None
        and len(periods) == 3
        and all(p.watermark == this.watermark for p in periods.values())
    )
    start_at, end_at = day_start(month), day_start(next_month(month))
    watermark = rollup.highest_entry_id()
    new = rollup.ledger_count(start_at, end_at, this.watermark, watermark) if together else 0
    if not together or rollup.ledger_count(start_at, end_at, 0, watermark) != this.entries + new:
        return points_rollup(months=[month], close=close, now=now)
    result = RollupResult(months=[month], quarters=[quarter], years=[year], changes_only=True)
    if new:
        result.written = rollup.update_changed(
            [(PeriodKind.MONTH, month), (PeriodKind.QUARTER, quarter), (PeriodKind.YEAR, year)],
            start_at,
            end_at,
            this.watermark,
            watermark,
        )
    result.entries = this.entries + new
    for period in periods.values():
        period.computed_at, period.watermark = now, watermark
        if period.kind == PeriodKind.MONTH:
            period.entries = result.entries
            if close and period.closed_at is None:
                period.closed_at = now
        period.save()
    return result


def points_rollup_due(*, now=None):
    """The nightly job: recompute open months whose ledger changed; close past open months.

    Closed months are left exactly as they are. A past month still open (the
    month-end run was missed) is brought up to date and closed.
    """
    now = now or timezone.now()
    current = month_start(timezone.localdate(now))
    open_past = PointsPeriod.objects.filter(
        kind=PeriodKind.MONTH, closed_at__isnull=True, start__lt=current
    ).values_list("start", flat=True)
    results = []
    for month in sorted(open_past):
        if _changed(month):
            results.append(points_rollup_changes(month=month, close=True, now=now))
        else:
            PointsPeriod.objects.filter(kind=PeriodKind.MONTH, start=month).update(closed_at=now)
    if _changed(current):
        results.append(points_rollup_changes(month=current, now=now))
    return results


ROLLUP_SOON_SECONDS = 10 * 60


def points_rollup_soon():
    """Refresh this month's totals and ranks a few minutes after points were booked, once per window.

    The first booking in a ten-minute window enqueues the job (after commit);
    the rest find the window taken. The job recomputes only if the ledger
    changed, so an extra run costs one index scan.
    """
    if cache.add("points:rollup-soon", True, timeout=ROLLUP_SOON_SECONDS):
        enqueue_on_commit("points.tasks.rollup_points_nightly", countdown=ROLLUP_SOON_SECONDS)


def points_close_month(*, month=None, now=None):
    """The month-end job: the month just ended gets its final totals and is closed."""
    now = now or timezone.now()
    if month is None:
        first = month_start(timezone.localdate(now))
        month = month_start(first - datetime.timedelta(days=1))
    period = PointsPeriod.objects.filter(kind=PeriodKind.MONTH, start=month).first()
    if period is not None and period.closed_at is not None:
        return None  # already closed: a redelivered task does nothing new
    return points_rollup(months=[month], close=True, now=now)
