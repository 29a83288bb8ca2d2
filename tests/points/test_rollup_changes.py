"""The nightly run sums again only the subjects with new entries, and gives what a full recompute gives."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from points import services
from points.models import PointsEntry, PointsPeriod, PointsTotal
from points.services import (
    points_award,
    points_reverse,
    points_rollup,
    points_rollup_changes,
    points_rollup_due,
)
from tests.factories import MemberUnitFactory, VisitFactory, VolunteerFactory

YEAR = timezone.localdate().year - 1
JUNE = datetime.date(YEAR, 6, 1)


def at(day, hour=12, month=6):
    return timezone.make_aware(datetime.datetime(YEAR, month, day, hour))


def award(subject, when, hours=1):
    return points_award(
        rule_code="activity_hour", subject=subject, source=VisitFactory(), occurred_at=when, quantity=hours
    )


def snapshot():
    fields = (
        "period_kind",
        "period_start",
        "street_id",
        "grid_id",
        "subject_kind",
        "subject_type_id",
        "subject_id",
        "points",
        "entries",
        "last_at",
        "rank",
    )
    return list(PointsTotal.objects.with_rank().order_by(*fields).values_list(*fields))


@pytest.fixture
def june(world):
    people = [VolunteerFactory(community=world.community_a, name=f"甲{n}") for n in range(4)]
    people.append(VolunteerFactory(community=world.community_c, name="远"))
    unit = MemberUnitFactory(grid=world.street)
    for n, person in enumerate(people):
        award(person, at(n + 1), hours=n + 1)
    award(people[0], at(3, month=5), hours=2)  # May: the quarter and year hold more than June
    points_award(rule_code="meeting_attended", subject=unit, source=VisitFactory(), occurred_at=at(2))
    points_rollup(months=[datetime.date(YEAR, 5, 1), JUNE])
    return people, unit


def _no_full_recompute(monkeypatch):
    def refuse(**kwargs):
        raise AssertionError("the nightly run fell back to a full recompute")

    monkeypatch.setattr(services, "points_rollup", refuse)


def test_new_entries_update_their_subjects_and_the_ranks_as_a_full_recompute_would(june, world, monkeypatch):
    people, unit = june
    newcomer = VolunteerFactory(community=world.community_a, name="新人")
    award(people[0], at(20), hours=9)  # from last to first of the street
    award(newcomer, at(21), hours=2)  # a subject with no total yet
    points_reverse(entry=PointsEntry.objects.filter(subject_id=people[3].pk).first(), note="登记错误")
    _no_full_recompute(monkeypatch)
    result = points_rollup_changes(month=JUNE)
    monkeypatch.undo()
    nightly = snapshot()
    # The rows of the two subjects with new June entries (the reversal is booked today, not in
    # June), in the month, the quarter and the year, and no one else's, although the first of
    # the street changed and everybody's rank with it.
    assert result.written == 2 * 3 and result.changes_only
    points_rollup(months=[JUNE])  # the full recompute, for comparison
    assert snapshot() == nightly
    first = PointsTotal.objects.with_rank().get(
        period_kind="month", period_start=JUNE, subject_kind="person", subject_id=people[0].pk
    )
    assert first.rank == 1


def test_a_run_with_nothing_new_writes_nothing(june, monkeypatch):
    _no_full_recompute(monkeypatch)
    before = snapshot()
    assert points_rollup_changes(month=JUNE).written == 0
    assert snapshot() == before


def test_an_entry_that_committed_late_below_the_watermark_means_a_full_recompute(june, monkeypatch):
    people, _unit = june
    award(people[1], at(25), hours=4)
    period = PointsPeriod.objects.get(kind="month", start=JUNE)
    # As if this entry had committed after a later one the last run already saw.
    PointsPeriod.objects.filter(pk=period.pk).update(watermark=PointsEntry.objects.order_by("-pk")[0].pk)
    PointsPeriod.objects.exclude(kind="month").update(watermark=PointsEntry.objects.order_by("-pk")[0].pk)
    calls = []
    full = services.points_rollup
    monkeypatch.setattr(services, "points_rollup", lambda **kw: calls.append(kw) or full(**kw))
    points_rollup_changes(month=JUNE)
    assert calls == [{"months": [JUNE], "close": False, "now": calls[0]["now"]}]
    monkeypatch.undo()
    rolled = snapshot()
    points_rollup(months=[JUNE])
    assert snapshot() == rolled


def test_the_nightly_job_uses_it_for_the_open_month(world, monkeypatch):
    person = VolunteerFactory(community=world.community_a)
    now = timezone.now()
    award(person, now - datetime.timedelta(hours=1))
    points_rollup_due(now=now)  # first run: the full recompute
    award(person, now - datetime.timedelta(minutes=30), hours=3)
    _no_full_recompute(monkeypatch)
    points_rollup_due(now=now)
    monkeypatch.undo()
    total = PointsTotal.objects.get(period_kind="month", subject_kind="person", subject_id=person.pk)
    assert total.entries == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the same SQL, checked on PostgreSQL's planner too"
)
def test_on_postgresql_too(june, world, monkeypatch):
    test_new_entries_update_their_subjects_and_the_ranks_as_a_full_recompute_would(june, world, monkeypatch)


def test_a_reversal_in_the_open_month_is_taken_off_as_a_full_recompute_would(world, monkeypatch):
    person = VolunteerFactory(community=world.community_a)
    other = VolunteerFactory(community=world.community_a)
    now = timezone.now()
    award(person, now - datetime.timedelta(hours=2), hours=3)
    award(other, now - datetime.timedelta(hours=2), hours=2)
    points_rollup_due(now=now)
    points_reverse(entry=PointsEntry.objects.filter(subject_id=person.pk).get(), note="登记错误")
    _no_full_recompute(monkeypatch)
    points_rollup_due(now=timezone.now())
    monkeypatch.undo()
    nightly = snapshot()
    month = PointsTotal.objects.with_rank().get(period_kind="month", subject_id=person.pk)
    assert (month.points, month.entries, month.rank) == (Decimal("0.00"), 2, 2)
    points_rollup(months=[month.period_start])
    assert snapshot() == nightly


def test_tenths_of_hours_add_up_to_exact_points_and_equal_points_still_rank_by_time(world, monkeypatch):
    early = VolunteerFactory(community=world.community_a)
    late = VolunteerFactory(community=world.community_a)
    award(early, at(2), hours=Decimal("1.4"))  # 2.8 points, reached on the 2nd
    award(late, at(3), hours=Decimal("1.1"))  # 2.2 points
    points_rollup(months=[JUNE])
    award(late, at(4), hours=Decimal("0.3"))  # + 0.6: 2.8, reached on the 4th
    _no_full_recompute(monkeypatch)
    points_rollup_changes(month=JUNE)
    monkeypatch.undo()
    month = PointsTotal.objects.filter(period_kind="month", period_start=JUNE)
    # 2.2 + 0.6 is 2.8000000000000003 in floating point (SQLite's decimals): it must tie with 2.8.
    assert month.filter(points=Decimal("2.8")).count() == 2
    ranks = {t.subject_id: t.rank for t in PointsTotal.objects.set_ranks(month)}
    assert ranks == {early.pk: 1, late.pk: 2}
    assert dict(month.with_rank().values_list("subject_id", "rank")) == ranks
    nightly = snapshot()
    points_rollup(months=[JUNE])
    assert snapshot() == nightly


def test_an_entry_booked_while_a_full_rollup_reads_is_counted_once(june, monkeypatch):
    people, _unit = june
    seen = PointsEntry.objects.order_by("-pk")[0].pk
    award(people[1], at(26), hours=3)  # commits after the rollup took its watermark
    # The rollup took its watermark before this entry existed, then read the month.
    monkeypatch.setattr(services.rollup, "highest_entry_id", lambda: seen)
    points_rollup(months=[JUNE])
    monkeypatch.undo()
    period = PointsPeriod.objects.get(kind="month", start=JUNE)
    assert period.watermark == seen
    _no_full_recompute(monkeypatch)
    points_rollup_changes(month=JUNE)  # the entry is above the watermark: added now, once
    monkeypatch.undo()
    nightly = snapshot()
    points_rollup(months=[JUNE])
    assert snapshot() == nightly
