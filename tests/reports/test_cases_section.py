"""The report's 吹哨报到 section: what the street dispatched to each member unit in the month and how
it answered, frozen with the rest of the snapshot."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from cases.models import Case, CaseState, Category, Dispatch, DispatchState
from reports import services
from reports.models import MonthlyReport
from reports.present import present
from tests.alliances.report_world import FEBRUARY, MARCH, at
from wishes.models import new_tracking_code

BUILT_AT = at(4, 1, 2)
HOUR = datetime.timedelta(hours=1)


def build(alliance, first_day=MARCH):
    return services.report_build(
        alliance=alliance, month=first_day, via=MonthlyReport.BuiltVia.COMMAND, now=BUILT_AT
    )


def _case(grid, category, **fields):
    return Case.objects.create(
        code=new_tracking_code(),
        grid=grid,
        community=grid.parent,
        street=grid.parent.parent,
        category=category,
        source="resident",
        description="小区门口的路灯不亮了",
        reported_at=fields.pop("reported_at", at(3, 5)),
        state=fields.pop("state", CaseState.CLOSED),
        **fields,
    )


def _dispatch(case, unit, when, **fields):
    return Dispatch.objects.create(
        case=case, unit=unit, dispatched_at=when, sign_due_at=when + 4 * HOUR, **fields
    )


@pytest.fixture
def dispatched(march):
    """Unit A: three March dispatches (one on time and rated 5, one late and rated 2, one returned);
    unit S: one waiting to be signed; unit B: only a February one; unit C (street T): one in March."""
    w = march.aw.world
    env = Category.objects.create(street=w.street, name="市政设施")
    far = Category.objects.create(street=w.other_street, name="市政设施")
    a = march.aw.unit_a
    good = _case(w.grid_a, env, rating=5)
    _dispatch(
        good, a, at(3, 5), state=DispatchState.DONE, signed_at=at(3, 5, 11),
        finish_due_at=at(3, 7), done_at=at(3, 6),
    )  # fmt: skip
    slow = _case(w.grid_a, env, rating=2, reopened_count=1)
    _dispatch(
        slow, a, at(3, 10), state=DispatchState.DONE, signed_at=at(3, 10, 16), sign_overdue_at=at(3, 10, 15),
        finish_due_at=at(3, 11), done_at=at(3, 13),
    )  # fmt: skip
    waiting = _case(w.grid_b, env, state=CaseState.DISPATCHED, reported_at=at(3, 20))
    _dispatch(waiting, a, at(3, 20), state=DispatchState.RETURNED, returned_at=at(3, 20, 12))
    live = _dispatch(waiting, march.aw.unit_s, at(3, 21))
    old = _case(w.grid_b, env, reported_at=at(2, 10))
    _dispatch(
        old, march.aw.unit_b, at(2, 10), state=DispatchState.DONE, signed_at=at(2, 10, 11), done_at=at(2, 11)
    )
    other = _case(w.grid_c, far, reported_at=at(3, 5))
    _dispatch(other, march.aw.unit_c, at(3, 5))
    march.cases = {"good": good, "slow": slow, "waiting": waiting, "live": live}
    return march


def test_the_report_says_what_each_unit_was_dispatched_and_how_it_answered(dispatched):
    data = build(dispatched.alliance).data
    rows = {r["unit"]: r for r in data["cases"]}
    assert set(rows) == {"兰苑小学", "街道供电所"}  # 金港医院's was in February, 民主超市 is street T's
    a = rows["兰苑小学"]
    assert (a["dispatched"], a["signed_on_time"], a["finished"], a["finished_on_time"], a["returned"]) == (
        3,
        1,
        2,
        1,
        1,
    )
    assert (a["rated"], a["satisfied"]) == (2, 1)
    s = rows["街道供电所"]
    assert (s["dispatched"], s["signed_on_time"], s["finished"], s["live"]) == (1, 0, 0, 1)
    assert (data["summary"]["cases_dispatched"], data["summary"]["cases_finished"]) == (4, 2)
    shown = {r["unit"]: r for r in present(data)["cases"]}
    assert (shown["兰苑小学"]["sign_rate"], shown["兰苑小学"]["on_time_rate"]) == (50.0, 50.0)
    assert shown["兰苑小学"]["satisfaction"] == 50.0
    assert shown["街道供电所"]["sign_rate"] is None  # its clock is still running


def test_a_month_without_dispatches(dispatched):
    data = build(dispatched.alliance, FEBRUARY).data
    dispatched.aw.unit_b.refresh_from_db()
    assert [r["unit"] for r in data["cases"]] == [dispatched.aw.unit_b.name]
    january = build(dispatched.alliance, datetime.date(2026, 1, 1)).data
    assert january["cases"] == [] and january["summary"]["cases_dispatched"] == 0


def test_a_community_committee_counts_its_own_community(dispatched):
    data = build(dispatched.aw.committee_a).data
    # Unit A is the committee's only member; the returned dispatch was of a case in community B.
    assert [(r["unit"], r["dispatched"]) for r in data["cases"]] == [("兰苑小学", 2)]


def test_changing_a_case_after_building_leaves_the_frozen_report_alone(dispatched):
    report = build(dispatched.alliance)
    before = report.data
    live = dispatched.cases["live"]
    Dispatch.objects.filter(pk=live.pk).update(
        state=DispatchState.DONE, signed_at=at(3, 21, 11), done_at=at(3, 22)
    )
    Case.objects.filter(pk=dispatched.cases["slow"].pk).update(rating=5)
    _dispatch(dispatched.cases["waiting"], dispatched.aw.unit_b, at(3, 25))

    report.refresh_from_db()
    assert report.data == before
    shown = {r["unit"]: r for r in present(report.data)["cases"]}
    dispatched.aw.unit_b.refresh_from_db()
    b = dispatched.aw.unit_b.name
    assert shown["街道供电所"]["finished"] == 0 and b not in shown
    # Building the month again (by hand) takes the new state.
    again = {r["unit"]: r for r in build(dispatched.alliance).data["cases"]}
    assert again["街道供电所"]["finished"] == 1 and again[b]["dispatched"] == 1
    assert again["兰苑小学"]["satisfied"] == 2


def test_the_page_and_the_workbook_show_the_section(login, dispatched):
    build(dispatched.alliance)
    client = login(dispatched.aw.world.street_staff)
    url = f"/reports/monthly/{dispatched.alliance.pk}/2026-03"
    html = client.get(f"{url}/").content.decode()
    assert "九、吹哨报到" in html and "兰苑小学" in html
    book = load_workbook(io.BytesIO(client.get(f"{url}.xlsx").content))
    rows = list(book["事件报到"].iter_rows(values_only=True))
    assert rows[0][:3] == ("单位", "派遣", "按时签收")
    assert rows[1][:4] == ("兰苑小学", 3, 1, 50.0)


def test_a_report_built_before_the_section_says_so(login, dispatched):
    report = build(dispatched.alliance)
    data = {k: v for k, v in report.data.items() if k != "cases"}
    MonthlyReport.objects.filter(pk=report.pk).update(data=data)
    html = (
        login(dispatched.aw.world.street_staff)
        .get(f"/reports/monthly/{dispatched.alliance.pk}/2026-03/")
        .content.decode()
    )
    assert "这份报告生成时还没有这一部分" in html
