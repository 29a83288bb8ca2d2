"""The points totals list: names, search, one period at a time, and past months closed after seeding."""

import datetime

import pytest
from django.utils import timezone

from points.models import PeriodKind, PointsPeriod
from points.services import points_award, points_rollup
from portal.months import month_start
from tests.factories import MemberUnitFactory, VisitFactory, VolunteerFactory

THIS_MONTH = month_start(timezone.localdate())
LAST_MONTH = month_start(THIS_MONTH - datetime.timedelta(days=1))


def _at(month, day=10):
    return timezone.make_aware(datetime.datetime(month.year, month.month, day, 12))


@pytest.fixture
def totals(world):
    star = VolunteerFactory(community=world.community_a, name="欧阳志愿")
    other = VolunteerFactory(community=world.community_a, name="李四")
    unit = MemberUnitFactory(grid=world.street, name="兰州银行")
    for subject, hours, month in (
        (star, 3, LAST_MONTH),
        (other, 1, LAST_MONTH),
        (star, 1, THIS_MONTH),
        (other, 2, THIS_MONTH),
    ):
        points_award(
            rule_code="activity_hour",
            subject=subject,
            source=VisitFactory(),
            occurred_at=_at(month),
            quantity=hours,
        )
    points_award(
        rule_code="meeting_attended", subject=unit, source=VisitFactory(), occurred_at=_at(LAST_MONTH)
    )
    points_rollup(months=[LAST_MONTH], close=True)
    points_rollup(months=[THIS_MONTH])
    return star, other, unit


def _rows(client, query=""):
    response = client.get(f"/admin/points/pointstotal/{query}")
    assert response.status_code == 200
    return response, list(response.context["cl"].result_list)


def test_totals_show_names_in_rank_order_for_the_last_closed_month_by_default(login, world, totals):
    star, other, unit = totals
    response, rows = _rows(login(world.street_staff))
    page = response.content.decode()
    assert "欧阳志愿" in page and "兰州银行" in page and "对象编号" not in page
    assert {(r.period_kind, r.period_start) for r in rows} == {(PeriodKind.MONTH, LAST_MONTH)}
    people = [r.subject_id for r in rows if r.subject_kind == "person"]
    assert people == [star.pk, other.pk]


def test_the_period_filter_offers_periods_not_days(login, world, totals):
    response, _rows_ = _rows(login(world.street_staff))
    page = response.content.decode()
    assert "今天" not in page and "过去7天" not in page
    assert f"{LAST_MONTH.year}年{LAST_MONTH.month}月" in page
    assert f"{THIS_MONTH.year}年{THIS_MONTH.month}月（进行中）" in page
    assert f"{LAST_MONTH.year}年{LAST_MONTH.month}月（进行中）" not in page
    _response, rows = _rows(login(world.street_staff), f"?period=month:{THIS_MONTH.isoformat()}")
    assert [r.subject_id for r in rows if r.subject_kind == "person"] == [totals[1].pk, totals[0].pk]
    _response, rows = _rows(login(world.street_staff), f"?period=year:{THIS_MONTH.year}-01-01")
    assert {r.period_kind for r in rows} == {PeriodKind.YEAR}


def test_a_period_that_does_not_parse_falls_back_to_the_latest_month_with_a_message(login, world, totals):
    response = login(world.street_staff).get("/admin/points/pointstotal/?period=week:soon", follow=True)
    assert response.status_code == 200
    assert {r.period_start for r in response.context["cl"].result_list} == {LAST_MONTH}
    assert any("无法识别所选的周期" in str(m) for m in response.context["messages"])


def test_totals_are_searched_by_the_subjects_name(login, world, totals):
    star, _other, unit = totals
    _response, rows = _rows(login(world.street_staff), "?q=欧阳")
    assert [(r.subject_kind, r.subject_id) for r in rows] == [("person", star.pk)]
    _response, rows = _rows(login(world.street_staff), "?q=银行")
    assert [(r.subject_kind, r.subject_id) for r in rows] == [("unit", unit.pk)]


def test_the_list_costs_the_same_queries_however_many_subjects(
    login, world, totals, django_assert_max_num_queries
):
    client = login(world.street_staff)
    client.get("/admin/points/pointstotal/")
    for n in range(5):
        points_award(
            rule_code="activity_hour",
            subject=VolunteerFactory(community=world.community_a),
            source=VisitFactory(),
            occurred_at=_at(LAST_MONTH, day=n + 1),
        )
    points_rollup(months=[LAST_MONTH], close=True)
    with django_assert_max_num_queries(25):
        client.get("/admin/points/pointstotal/")


def test_past_months_filled_in_by_a_closing_rollup_are_closed_too(world):
    """seed_demo closes the past: months before the first entry of the year included."""
    volunteer = VolunteerFactory(community=world.community_a)
    year = THIS_MONTH.year - 1
    may = datetime.date(year, 5, 1)
    points_award(rule_code="activity_hour", subject=volunteer, source=VisitFactory(), occurred_at=_at(may))
    points_rollup(months=[may], close=True)
    months = PointsPeriod.objects.filter(kind=PeriodKind.MONTH, start__year=year)
    assert months.count() == 12
    assert not months.filter(closed_at__isnull=True).exists()


def test_ranks_are_counted_for_the_page_never_for_every_row_of_the_period(login, world, totals):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    star, other, unit = totals
    with CaptureQueriesContext(connection) as queries:
        _response, rows = _rows(login(world.street_staff))
    # Ranks are counted for the page's rows alone, never in the capped count (where a rank
    # per row would be computed for up to 10,000 rows).
    ranking = [q["sql"] for q in queries.captured_queries if 'AS "rank"' in q["sql"]]
    assert ranking and all('"id" IN (' in sql and "COUNT(*) FROM (" not in sql for sql in ranking)
    assert [(r.subject_id, r.rank) for r in rows] == [(star.pk, 1), (other.pk, 2), (unit.pk, 1)]
