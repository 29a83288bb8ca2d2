"""Admin lists at district scale: no DISTINCT from a related search, indexed orders, date ranges, cheap counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.admin import DistrictPaginator
from tests.factories import (
    ActivityFactory,
    HouseholdFactory,
    ResidentFactory,
    VisitFactory,
    VolunteerFactory,
    record_for,
)


def _list_sql(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, [q["sql"] for q in queries.captured_queries]


def test_a_household_is_found_by_a_residents_name_without_select_distinct(login, world):
    ResidentFactory(household=world.household_a, name="欧阳娜娜")
    response, sqls = _list_sql(login(world.superuser), "/admin/grids/household/?q=欧阳")
    assert list(response.context["cl"].result_list) == [world.household_a]
    assert not [sql for sql in sqls if "DISTINCT" in sql.upper() and "grids_household" in sql]


def test_a_member_unit_is_found_by_a_liaisons_login_without_select_distinct(login, world):
    from tests.factories import MemberUnitFactory

    unit = MemberUnitFactory(grid=world.street, name="兰州银行")
    unit.liaisons.add(world.volunteer)
    MemberUnitFactory(grid=world.street, name="兰州一中")
    response, sqls = _list_sql(login(world.superuser), "/admin/alliances/memberunit/?q=volunteer")
    assert list(response.context["cl"].result_list) == [unit]
    assert not [sql for sql in sqls if "DISTINCT" in sql.upper() and "alliances_memberunit" in sql]


def test_service_records_are_listed_newest_first_without_sorting_on_volunteers(login, world):
    activity = ActivityFactory(community=world.community_a)
    older = record_for(activity, VolunteerFactory(community=world.community_a, name="阿阿"))
    newer = record_for(activity, VolunteerFactory(community=world.community_a, name="赵赵"))
    type(older).objects.filter(pk=older.pk).update(service_date=datetime.date(2026, 1, 1))
    response, sqls = _list_sql(login(world.superuser), "/admin/volunteers/servicerecord/")
    assert list(response.context["cl"].result_list)[:2] == [newer, older]
    listing = [sql for sql in sqls if "ORDER BY" in sql and "volunteers_servicerecord" in sql][0]
    assert 'ORDER BY "volunteers_servicerecord"."service_date" DESC' in listing
    assert '"volunteers_volunteer"."name" ASC' not in listing.split("ORDER BY")[1]


def test_the_visit_log_has_no_date_hierarchy_but_a_date_range(login, world):
    old = VisitFactory(household=world.household_a, visited_at=timezone.now() - datetime.timedelta(days=40))
    recent = VisitFactory(household=world.household_a)
    client = login(world.street_staff)
    response, sqls = _list_sql(client, "/admin/grids/visit/")
    assert response.context["cl"].date_hierarchy is None
    assert not [sql for sql in sqls if "MIN(" in sql.upper() or "DATE_TRUNC" in sql.upper()]
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    response = client.get(f"/admin/grids/visit/?visited_at__since={since}")
    assert list(response.context["cl"].result_list) == [recent]
    until = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    response = client.get(f"/admin/grids/visit/?visited_at__until={until}")
    assert list(response.context["cl"].result_list) == [old]


def test_a_date_that_does_not_parse_is_reported_and_changes_nothing(login, world):
    VisitFactory(household=world.household_a)
    response = login(world.street_staff).get("/admin/grids/visit/?visited_at__since=2026-13-45", follow=True)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 1
    assert any("无法识别" in str(m) for m in response.context["messages"])


def test_a_filtered_list_counts_at_most_the_cap(world, monkeypatch):
    from grids.models import Household

    for _ in range(3):
        HouseholdFactory(building=world.building_a)
    monkeypatch.setattr(DistrictPaginator, "COUNT_CAP", 2)
    assert DistrictPaginator(Household.objects.filter(grid=world.grid_a), 50).count == 2
    monkeypatch.setattr(DistrictPaginator, "COUNT_CAP", 10)
    assert DistrictPaginator(Household.objects.filter(grid=world.grid_a), 50).count == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statistics estimates are PostgreSQL's")
def test_an_unfiltered_large_list_is_counted_from_the_statistics(world, monkeypatch):
    from grids.models import Household

    monkeypatch.setattr(DistrictPaginator, "ESTIMATE_ABOVE", 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE grids_household")
    with CaptureQueriesContext(connection) as queries:
        DistrictPaginator(Household.objects.all(), 50).count  # noqa: B018
    assert "reltuples" in queries.captured_queries[0]["sql"]


def test_a_districts_grids_are_offered_once_a_community_is_chosen(login, world, monkeypatch):
    from portal.admin import GridListFilter

    monkeypatch.setattr(GridListFilter, "MAX_CHOICES", 2)  # the superuser sees three grids
    client = login(world.superuser)
    link = f"grid={world.grid_a.pk}"
    page = client.get("/admin/grids/household/").content.decode()
    assert link not in page
    page = client.get(f"/admin/grids/household/?community={world.community_a.pk}").content.decode()
    assert link in page
    chosen = client.get(f"/admin/grids/household/?grid={world.grid_a.pk}")
    assert list(chosen.context["cl"].result_list) == [world.household_a]
