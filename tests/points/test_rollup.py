import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from points import tasks
from points.models import PointsEntry, PointsPeriod, PointsTotal
from points.services import (
    points_award,
    points_close_month,
    points_reverse,
    points_rollup,
    points_rollup_due,
)
from portal.months import month_start
from tests.factories import MemberUnitFactory, VisitFactory, VolunteerFactory
from tests.utils import requires_postgresql

YEAR = timezone.localdate().year - 1  # a closed year, whatever today is


def at(month, day=10, hour=12):
    return timezone.make_aware(datetime.datetime(YEAR, month, day, hour))


def award(subject, when, hours=1):
    return points_award(
        rule_code="activity_hour", subject=subject, source=VisitFactory(), occurred_at=when, quantity=hours
    )


def rows(**filters):
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
    return list(PointsTotal.objects.filter(**filters).with_rank().order_by(*fields).values_list(*fields))


@pytest.fixture
def people(world):
    a = VolunteerFactory(community=world.community_a, name="甲")
    b = VolunteerFactory(community=world.community_b, name="乙")
    c = VolunteerFactory(community=world.community_a, name="丙")
    far = VolunteerFactory(community=world.community_c, name="远")
    return a, b, c, far


def test_totals_by_month_quarter_and_year(people, world):
    a, b, c, far = people
    award(a, at(1), hours=3)  # 6 points
    award(a, at(2), hours=1)  # 2
    award(b, at(2), hours=2)  # 4
    award(far, at(4), hours=5)  # 10, another street
    points_rollup(months=[datetime.date(YEAR, 2, 1), datetime.date(YEAR, 4, 1)])

    def total(kind, start, subject):
        return PointsTotal.objects.with_rank().get(
            period_kind=kind, period_start=start, subject_id=subject.pk
        )

    assert total("month", datetime.date(YEAR, 1, 1), a).points == Decimal("6.00")  # filled in for the quarter
    assert total("month", datetime.date(YEAR, 2, 1), a).points == Decimal("2.00")
    q1 = total("quarter", datetime.date(YEAR, 1, 1), a)
    assert q1.points == Decimal("8.00") and q1.entries == 2
    assert total("year", datetime.date(YEAR, 1, 1), a).points == Decimal("8.00")
    assert total("year", datetime.date(YEAR, 1, 1), far).street_id == world.other_street.pk
    # Ranks are per street: the other street's only volunteer is first there.
    assert total("year", datetime.date(YEAR, 1, 1), far).rank == 1
    assert total("year", datetime.date(YEAR, 1, 1), a).rank == 1
    assert total("year", datetime.date(YEAR, 1, 1), b).rank == 2


def test_equal_points_rank_whoever_got_there_first_then_the_lower_id(people):
    a, b, c, _far = people
    award(c, at(3, day=5), hours=2)  # c reaches 4 first
    award(a, at(3, day=9), hours=2)
    award(b, at(3, day=9), hours=2)  # a and b tie on points and time: lower id first
    award(b, at(3, day=1), hours=1)
    points_rollup(months=[datetime.date(YEAR, 3, 1)])
    ranked = (
        PointsTotal.objects.filter(period_kind="month", period_start=datetime.date(YEAR, 3, 1))
        .with_rank()
        .order_by("rank")
    )
    assert [t.subject_id for t in ranked] == [b.pk, c.pk, a.pk]
    # b has 6; c and a have 4 each, c's last entry was earlier.
    a2, b2 = sorted([a, b], key=lambda v: v.pk)
    award(a, at(3, day=20), hours=1)  # a: 6, last on the 20th
    award(c, at(3, day=20), hours=1)  # c: 6, last on the 20th: tie with a on time too
    points_rollup(months=[datetime.date(YEAR, 3, 1)])
    ranked = (
        PointsTotal.objects.filter(period_kind="month", period_start=datetime.date(YEAR, 3, 1))
        .with_rank()
        .order_by("rank")
    )
    order = [t.subject_id for t in ranked]
    assert order[0] == b.pk  # 6 points, reached on the 9th
    assert order[1:] == sorted([a.pk, c.pk])  # 6 points on the 20th: lower id first


def test_units_rank_among_units(world, people):
    a, *_ = people
    unit = MemberUnitFactory(grid=world.street)
    points_award(rule_code="meeting_attended", subject=unit, source=VisitFactory(), occurred_at=at(5))
    award(a, at(5), hours=10)
    points_rollup(months=[datetime.date(YEAR, 5, 1)])
    unit_total = PointsTotal.objects.with_rank().get(subject_kind="unit", period_kind="month")
    assert unit_total.rank == 1 and unit_total.points == Decimal("3.00")


def test_a_rerun_gives_identical_rows_three_times(people):
    a, b, c, far = people
    for month in range(1, 13):
        for i, volunteer in enumerate((a, b, c, far)):
            award(volunteer, at(month, day=1 + i), hours=1 + (month + i) % 3)
    months = [datetime.date(YEAR, m, 1) for m in range(1, 13)]
    results = []
    for _ in range(3):
        points_rollup(months=months)
        results.append(rows())
    assert results[0] == results[1] == results[2]
    assert len(results[0]) == 4 * (12 + 4 + 1)


def test_a_redelivered_task_gives_identical_rows(people):
    award(people[0], at(6), hours=2)
    tasks.rollup_points_period.apply(args=[f"{YEAR}-06"]).get()
    first = rows()
    tasks.rollup_points_period.apply(args=[f"{YEAR}-06"]).get()
    assert rows() == first and first


def test_a_reversal_lowers_the_total_in_the_period_it_is_booked(people):
    entry = award(people[0], timezone.now() - datetime.timedelta(minutes=5), hours=2)
    points_reverse(entry=entry, note="录错了")
    points_rollup(months=[month_start(timezone.localdate())])
    total = PointsTotal.objects.get(period_kind="month", subject_id=people[0].pk)
    assert total.points == 0 and total.entries == 2


def test_a_closed_month_stays_as_it_was_unless_re_run_on_purpose(people):
    a = people[0]
    award(a, at(7), hours=1)
    assert points_close_month(month=datetime.date(YEAR, 7, 1)) is not None
    before = rows(period_kind="month", period_start=datetime.date(YEAR, 7, 1))
    award(a, at(7, day=20), hours=4)  # booked late into the closed month
    points_rollup_due()
    assert rows(period_kind="month", period_start=datetime.date(YEAR, 7, 1)) == before
    assert points_close_month(month=datetime.date(YEAR, 7, 1)) is None  # already closed
    call_command("rollup_points", period=f"{YEAR}-07", stdout=StringIO())
    july = PointsTotal.objects.get(
        period_kind="month", period_start=datetime.date(YEAR, 7, 1), subject_id=a.pk
    )
    assert july.points == Decimal("10.00")
    assert PointsPeriod.objects.get(kind="month", start=datetime.date(YEAR, 7, 1)).closed_at is not None


def test_the_nightly_run_recomputes_only_a_month_whose_ledger_changed(people):
    a = people[0]
    award(a, timezone.now() - datetime.timedelta(minutes=1), hours=1)
    assert len(points_rollup_due()) == 1
    computed = PointsPeriod.objects.get(kind="month", start=month_start(timezone.localdate())).computed_at
    assert points_rollup_due() == []
    assert (
        PointsPeriod.objects.get(kind="month", start=month_start(timezone.localdate())).computed_at
        == computed
    )
    award(a, timezone.now(), hours=2)
    assert len(points_rollup_due()) == 1
    total = PointsTotal.objects.get(
        period_kind="month", subject_id=a.pk, period_start=month_start(timezone.localdate())
    )
    assert total.points == Decimal("6.00")


def test_an_entry_that_committed_late_below_the_watermark_is_still_noticed(people):
    a = people[0]
    award(a, timezone.now(), hours=1)
    points_rollup_due()
    late = award(a, timezone.now(), hours=1)
    # As if the rollup had seen a higher id, but not this entry (it committed after).
    PointsPeriod.objects.filter(kind="month").update(watermark=late.pk + 100)
    assert len(points_rollup_due()) == 1


def test_the_nightly_run_closes_a_past_month_the_month_end_run_missed(people):
    award(people[0], at(8), hours=1)
    points_rollup(months=[datetime.date(YEAR, 8, 1)])  # computed, never closed
    points_rollup_due()
    assert PointsPeriod.objects.get(kind="month", start=datetime.date(YEAR, 8, 1)).closed_at is not None


def test_the_command_explains_a_bad_period():
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("rollup_points", period="2026/13", stdout=StringIO())


def test_the_command_recomputes_a_whole_year(people):
    award(people[0], at(9), hours=1)
    out = StringIO()
    call_command("rollup_points", year=YEAR, stdout=out)
    assert "rollup done" in out.getvalue()
    assert PointsPeriod.objects.filter(kind="month", start__year=YEAR).count() == 12


def test_beat_runs_the_rollup_nightly_and_at_month_end():
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "points.tasks.rollup_points_nightly",
        "points.tasks.rollup_points_close_month",
    } <= tasks_scheduled


def test_verifying_hours_refreshes_the_ranks_once_per_window(crew, django_capture_on_commit_callbacks):
    from tests.factories import record_for
    from tests.volunteers.conftest import finished
    from volunteers.services import service_records_verify

    finished(crew.activity)
    record_for(crew.activity, crew.member)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        service_records_verify(activity=crew.activity, user=crew.leader_user)
    assert len(_rollup_callbacks(callbacks)) == 1
    with django_capture_on_commit_callbacks(execute=False) as again:
        from points.services import points_rollup_soon

        points_rollup_soon()
    assert _rollup_callbacks(again) == []  # the window is taken


def _rollup_callbacks(callbacks):
    # Saved records also queue the dashboard's cache invalidation (dashboard.cache).
    return [c for c in callbacks if getattr(c, "task", None) == "points.tasks.rollup_points_nightly"]


@requires_postgresql
def test_on_postgresql_a_re_run_over_an_unchanged_ledger_writes_nothing(people):
    a, b, *_ = people
    award(a, at(2), hours=2)
    award(b, at(2), hours=1)
    first = points_rollup(months=[datetime.date(YEAR, 2, 1)])
    ids = sorted(PointsTotal.objects.values_list("pk", flat=True))
    again = points_rollup(months=[datetime.date(YEAR, 2, 1)])
    assert first.written > 0 and again.written == 0
    assert again.quarters == [] and again.years == []  # nothing below them moved
    assert sorted(PointsTotal.objects.values_list("pk", flat=True)) == ids
    award(b, at(2, day=20), hours=5)  # b overtakes a: two ranks move
    moved = points_rollup(months=[datetime.date(YEAR, 2, 1)])
    # Only b's rows, in the month, the quarter and the year: ranks are read, so a's rows stand.
    assert moved.written == 3
    assert PointsTotal.objects.with_rank().get(period_kind="year", subject_id=b.pk).rank == 1
    assert PointsTotal.objects.with_rank().get(period_kind="year", subject_id=a.pk).rank == 2


def test_totals_keep_every_cent(people):
    # Summed as doubles for speed: 0.1 has no exact binary form, the total must still be exact.
    a = people[0]
    first = award(a, at(4, day=1), hours=1)
    entries = [
        PointsEntry(
            rule=first.rule,
            subject_kind="person",
            subject_type=first.subject_type,
            subject_id=a.pk,
            subject_label=a.name,
            street=first.street,
            grid=first.grid,
            source_type=first.source_type,
            source_id=10_000 + n,
            quantity=Decimal("0.05"),
            points=Decimal("0.10"),
            occurred_at=at(4, day=2),
        )
        for n in range(3_000)
    ]
    PointsEntry.objects.bulk_create(entries)
    points_rollup(months=[datetime.date(YEAR, 4, 1)])
    total = PointsTotal.objects.get(period_kind="month", subject_id=a.pk)
    assert total.points == Decimal("302.00") and total.entries == 3_001


def test_ranks_of_any_subset_of_rows_match_the_rank_of_each_row(world):
    march = datetime.date(YEAR, 3, 1)
    people = [VolunteerFactory(community=world.community_a) for _ in range(14)]
    for n, person in enumerate(people):
        award(person, at(3, day=5 + n % 2), hours=1 + n % 3)  # ties on points, and on points and time
    points_rollup(months=[march])
    month = PointsTotal.objects.filter(period_kind="month", period_start=march)
    each = dict(month.with_rank().values_list("pk", "rank"))
    assert sorted(each.values()) == list(range(1, 15))
    ordered = list(month.order_by(*PointsTotal.RANK_ORDER))
    # More than FEW rows of a street are numbered from one count; fewer are counted one by one.
    assert len(ordered[1:13]) > PointsTotal.objects.all().FEW
    for subset in (
        ordered,
        ordered[1:13],
        ordered[::-1],
        ordered[2:5],
        ordered[::3],
        [ordered[-1], ordered[0]],
    ):
        ranked = PointsTotal.objects.set_ranks(subset)
        assert [(t.pk, t.rank) for t in ranked] == [(t.pk, each[t.pk]) for t in subset]
