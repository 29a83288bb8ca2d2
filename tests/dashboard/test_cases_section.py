"""The dashboard's cases section: its numbers per scope, the superuser's streets added up, the chart,
the tables and the workbook's sheets, and the cache following case writes."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.utils import timezone
from openpyxl import load_workbook

from cases.models import Case, CaseState, Category, Department, Dispatch, DispatchState
from dashboard.numbers import compute_dashboard
from grids.models import Grid
from portal.months import month_bounds, this_month
from tests.factories import MemberUnitFactory
from wishes.models import new_tracking_code


def fresh(node):
    return Grid.objects.get(pk=node.pk)


@pytest.fixture
def cases_now(world):
    """This month: three cases in community A (two finished, one rated 5; one handling and late),
    one in community B (declined), one in street T; a dispatch to a department and one to a unit."""
    start, _end = month_bounds(this_month())
    t0 = start + datetime.timedelta(minutes=30)
    env = Category.objects.create(street=world.street, name="环境卫生")
    other = Category.objects.create(street=world.other_street, name="环境卫生")
    works = Department.objects.create(street=world.street, name="住建")
    unit = MemberUnitFactory(grid=world.street, name="供电所")

    def case(grid, category, state=CaseState.CLOSED, **fields):
        return Case.objects.create(
            code=new_tracking_code(),
            grid=grid,
            community=grid.parent,
            street=grid.parent.parent,
            category=category,
            source="resident",
            description="路灯坏了很久没人修",
            reported_at=t0,
            state=state,
            **fields,
        )

    hour = datetime.timedelta(hours=1)
    one = case(world.grid_a, env, accepted_at=t0, done_at=t0 + 2 * hour, rating=5)
    case(world.grid_a, env, accepted_at=t0, done_at=t0 + 4 * hour, finish_due_at=t0 + hour)
    late = case(world.grid_a, env, CaseState.DISPATCHED, accepted_at=t0, finish_overdue_at=t0 + hour)
    case(world.grid_b, env, CaseState.DECLINED)
    case(world.grid_c, other, accepted_at=t0, done_at=t0 + hour, rating=4)
    Dispatch.objects.create(
        case=one, department=works, state=DispatchState.DONE, dispatched_at=t0, sign_due_at=t0 + hour,
        signed_at=t0, done_at=t0 + hour,
    )  # fmt: skip
    Dispatch.objects.create(case=late, unit=unit, dispatched_at=t0, sign_due_at=t0 + hour)
    return world


def test_a_streets_cases_this_month(cases_now):
    data = compute_dashboard(fresh(cases_now.street))
    cases = data["cases"]
    assert cases["month"] == this_month()
    assert (cases["total"]["received"], cases["total"]["finished"], cases["total"]["overdue"]) == (4, 2, 1)
    places = {name: counts["received"] for name, counts in cases["places"]}
    assert places == {"兰苑社区": 3, "金港社区": 1}
    assert [(name, c["received"]) for name, c in cases["categories"]] == [("环境卫生", 4)]
    assert {(r["kind"], r["name"], r["dispatched"], r["finished"]) for r in cases["responders"]} == {
        ("department", "住建", 1, 1),
        ("unit", "供电所", 1, 0),
    }


def test_a_secretary_sees_their_grids(cases_now):
    cases = compute_dashboard(fresh(cases_now.community_b))["cases"]
    assert cases["total"]["received"] == 1
    assert [name for name, _c in cases["places"]] == ["金港第1网格"]
    assert cases["responders"] == []


def test_a_superuser_adds_the_streets_up(cases_now):
    cases = compute_dashboard(None)["cases"]
    assert {name: c["received"] for name, c in cases["places"]} == {"刘家堡街道": 4, "西一路街道": 1}
    assert cases["total"]["received"] == 5
    # The two streets' 环境卫生 are one row, added up by name.
    assert [(name, c["received"], c["rated"]) for name, c in cases["categories"]] == [("环境卫生", 5, 2)]
    assert len(cases["responders"]) == 2


def test_the_page_draws_the_section(login, cases_now):
    cache.clear()
    html = login(cases_now.street_staff).get("/dashboard/").content.decode()
    assert 'id="chart-cases"' in html
    assert "响应单位报到" in html and "住建（职能部门）" in html
    assert "/cases/stats/" in html


def test_the_workbook_holds_the_cases_sheets(login, cases_now):
    cache.clear()
    response = login(cases_now.street_staff).get("/dashboard/numbers.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    places = list(book["网格事件"].iter_rows(values_only=True))
    assert places[0][:4] == ("社区", "收到", "办结", "办结率（%）")
    assert places[1][:4] == ("兰苑社区", 3, 2, 66.7)
    assert places[-1][:3] == ("合计", 4, 2)
    assert places[2][3] == "—"  # 金港: its one case was declined, nothing to handle
    responders = list(book["响应单位报到"].iter_rows(min_row=2, values_only=True))
    assert {row[0] for row in responders} == {"住建（职能部门）", "供电所（驻区单位）"}


def test_a_case_write_moves_the_streets_numbers_on(login, cases_now, django_capture_on_commit_callbacks):
    cache.clear()
    client = login(cases_now.street_staff)
    assert "本月收到" in client.get("/dashboard/").content.decode()
    before = compute_dashboard(fresh(cases_now.street))["cases"]["total"]["received"]
    with django_capture_on_commit_callbacks(execute=True):
        case = Case.objects.filter(street=cases_now.street).first()
        case.pk = None
        case.code = new_tracking_code()
        case.reported_at = timezone.now()
        case.save()
    from dashboard.cache import dashboard_data

    assert dashboard_data(cases_now.street_staff)["cases"]["total"]["received"] == before + 1
