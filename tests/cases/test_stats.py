"""The numbers staff are judged by, on hand-built cases with known answers (docs/cases.md#the-numbers)."""

import datetime

import pytest
from django.utils import timezone

from cases.models import Case, CaseState, Dispatch, DispatchState
from cases.selectors import case_counts, case_stats, rates, responder_counts, unit_dispatch_counts
from portal.months import month_bounds
from portal.scoping import EVERYTHING, Streets, Subtree
from wishes.models import new_tracking_code

MARCH = datetime.date(2026, 3, 1)


def at(day, hour=9, month=3):
    return timezone.make_aware(datetime.datetime(2026, month, day, hour))


def make_case(grid, category, *, reported, state=CaseState.CLOSED, **fields):
    return Case.objects.create(
        code=new_tracking_code(),
        grid=grid,
        community=grid.parent,
        street=grid.parent.parent,
        category=category,
        source="resident",
        description="楼道堆放杂物需要清理",
        reported_at=reported,
        state=state,
        **fields,
    )


def make_dispatch(case, *, department=None, unit=None, dispatched, state=DispatchState.DONE, **fields):
    return Dispatch.objects.create(
        case=case,
        department=department,
        unit=unit,
        dispatched_at=dispatched,
        sign_due_at=fields.pop("sign_due_at", dispatched + datetime.timedelta(hours=4)),
        state=state,
        **fields,
    )


@pytest.fixture
def march(world, setup):
    """Nine cases of March (and around it) with known answers; see the comments."""
    a, b, c = world.grid_a, world.grid_b, world.grid_c
    env, security = setup.env, setup.security
    cases = {}
    # On time everywhere, rated 5, 24 h to finish.
    cases["c1"] = make_case(
        a, env, reported=at(2), accepted_at=at(2, 10), sign_due_at=at(2, 13),
        done_at=at(3), finish_due_at=at(4), rating=5,
    )  # fmt: skip
    # Accepted after its limit (never marked), finished late (48 h), rated 2, reopened once.
    cases["c2"] = make_case(
        a, env, reported=at(5), accepted_at=at(5, 15), sign_due_at=at(5, 13),
        done_at=at(7), finish_due_at=at(6), rating=2, reopened_count=1,
    )  # fmt: skip
    # Being handled, accepted in time, marked late for finishing.
    cases["c3"] = make_case(
        a, env, reported=at(10), state=CaseState.HANDLING, accepted_at=at(10, 10),
        sign_due_at=at(10, 13), finish_due_at=at(11), finish_overdue_at=at(11, 0),
    )  # fmt: skip
    # Waiting to be accepted, its clock still running: no verdict yet.
    cases["c4"] = make_case(a, env, reported=at(12), state=CaseState.REPORTED, sign_due_at=at(31))
    # Declined: received, not for the portal to handle.
    cases["c5"] = make_case(a, env, reported=at(13), state=CaseState.DECLINED)
    # A merged duplicate: not counted at all.
    cases["c6"] = make_case(a, env, reported=at(14), state=CaseState.MERGED, merged_into=cases["c3"])
    # Reported in February: another month.
    cases["c7"] = make_case(a, env, reported=at(20, month=2), done_at=at(21, month=2), rating=5)
    # Community B, another category: verified (waiting for the rating), marked late for accepting, 12 h.
    cases["c8"] = make_case(
        b, security, reported=at(20), state=CaseState.VERIFIED, accepted_at=at(20, 10),
        sign_overdue_at=at(20, 9), sign_due_at=at(20, 11), done_at=at(20, 21), finish_due_at=at(23),
    )  # fmt: skip
    # Another street.
    cases["c9"] = make_case(c, setup.other_category, reported=at(15), done_at=at(16), rating=4)
    dispatches = {
        # The department: signed in time, done in 24 h, the case rated 5.
        "d1": make_dispatch(
            cases["c1"],
            department=setup.department,
            dispatched=at(2, 10),
            sign_due_at=at(2, 14),
            signed_at=at(2, 11),
            finish_due_at=at(4),
            done_at=at(3, 10),
        ),  # fmt: skip
        # The unit: signed late, done late in 72 h, the case rated 2 and reopened.
        "d2": make_dispatch(
            cases["c2"],
            unit=setup.unit,
            dispatched=at(5, 10),
            sign_due_at=at(5, 12),
            signed_at=at(5, 14),
            finish_due_at=at(6),
            done_at=at(8, 10),
        ),  # fmt: skip
        # The unit returned one, and lets another wait past its limit.
        "d3": make_dispatch(
            cases["c3"], unit=setup.unit, dispatched=at(10, 11), state=DispatchState.RETURNED
        ),
        "d4": make_dispatch(
            cases["c3"],
            unit=setup.unit,
            dispatched=at(10, 12),
            state=DispatchState.DISPATCHED,
            sign_overdue_at=at(10, 17),
        ),  # fmt: skip
        # February, and another street.
        "d5": make_dispatch(cases["c7"], unit=setup.unit, dispatched=at(20, month=2)),
        "d6": make_dispatch(cases["c9"], unit=setup.other_unit, dispatched=at(15, 10)),
    }
    return cases, dispatches


def subtree(node):
    """The node's range as it is now (the fixtures' objects predate their children)."""
    node.refresh_from_db()
    return Subtree.of(node)


def street_scope(world):
    return subtree(world.street)


def test_every_number_of_a_street_month(world, march):
    counts = case_counts(street_scope(world), *month_bounds(MARCH))
    assert counts == {
        "received": 6,  # c1–c5, c8: not the merged c6, February's c7 or the other street's c9
        "handleable": 5,  # not the declined c5
        "finished": 3,  # c1, c2 closed; c8 verified
        "open": 2,  # c3, c4
        "overdue": 1,  # c3
        "sign_judged": 4,  # c1, c2, c3 accepted; c8 too (and marked); not c4 (clock running)
        "signed_on_time": 2,  # c1, c3; c2 accepted after its limit, c8 marked late
        "finish_judged": 4,  # c1, c2, c8 finished; c3 marked late while open
        "finished_on_time": 2,  # c1, c8; c2 done after its limit
        "rated": 2,
        "satisfied": 1,
        "reopened": 1,
        "timed": 3,
        "finish_time": (24 + 48 + 12) * 3600,
    }
    assert rates(counts) == {
        "finish_rate": 60.0,
        "sign_rate": 50.0,
        "on_time_rate": 50.0,
        "satisfaction": 50.0,
        "finish_hours": 28.0,
    }


def test_grouped_per_category_grid_and_community(world, setup, march):
    bounds = month_bounds(MARCH)
    by_community = {
        r["community__name"]: r for r in case_counts(street_scope(world), *bounds, by="community")
    }
    assert set(by_community) == {"兰苑社区", "金港社区"}
    assert by_community["兰苑社区"]["received"] == 5
    assert by_community["兰苑社区"]["finished"] == 2
    assert rates(by_community["兰苑社区"])["finish_rate"] == 50.0  # 2 of 4 (c5 declined)
    assert rates(by_community["金港社区"]) == {
        "finish_rate": 100.0,
        "sign_rate": 0.0,
        "on_time_rate": 100.0,
        "satisfaction": None,  # nobody rated it yet
        "finish_hours": 12.0,
    }
    by_category = {r["category_id"]: r for r in case_counts(street_scope(world), *bounds, by="category")}
    assert by_category[setup.env.pk]["received"] == 5
    assert by_category[setup.security.pk]["received"] == 1
    by_grid = {r["grid_id"]: r["received"] for r in case_counts(street_scope(world), *bounds, by="grid")}
    assert by_grid == {world.grid_a.pk: 5, world.grid_b.pk: 1}


def test_responders(world, setup, march):
    rows = {(r["kind"], r["name"]): r for r in responder_counts(street_scope(world), *month_bounds(MARCH))}
    assert set(rows) == {("department", "住建"), ("unit", setup.unit.name)}
    department = rows[("department", "住建")]
    assert (department["dispatched"], department["signed_on_time"], department["finished_on_time"]) == (
        1,
        1,
        1,
    )
    assert rates(department) == {
        "finish_rate": 100.0,
        "sign_rate": 100.0,
        "on_time_rate": 100.0,
        "satisfaction": 100.0,
        "finish_hours": 24.0,
    }
    unit = rows[("unit", setup.unit.name)]
    assert {k: unit[k] for k in ("dispatched", "signed", "sign_judged", "signed_on_time", "finished")} == {
        "dispatched": 3,
        "signed": 1,
        "sign_judged": 2,  # d2 signed, d4 marked late
        "signed_on_time": 0,
        "finished": 1,
    }
    assert (unit["returned"], unit["live"], unit["reopened"], unit["rated"], unit["satisfied"]) == (
        1,
        1,
        1,  # d2: its case was reopened
        1,
        0,
    )
    assert rates(unit) == {
        "finish_rate": 50.0,  # 1 done of 2 not returned
        "sign_rate": 0.0,
        "on_time_rate": 0.0,
        "satisfaction": 0.0,
        "finish_hours": 72.0,
    }


def test_unit_counts_for_the_report(world, setup, march):
    rows = unit_dispatch_counts(street_scope(world), {setup.unit.pk: setup.unit}, *month_bounds(MARCH))
    assert len(rows) == 1
    row = rows[0]
    assert (
        row["unit"],
        row["dispatched"],
        row["signed_on_time"],
        row["finished_on_time"],
        row["returned"],
    ) == (
        setup.unit.name,
        3,
        0,
        0,
        1,
    )
    assert unit_dispatch_counts(street_scope(world), {}, *month_bounds(MARCH)) == []


def test_nothing_in_the_period(world, march):
    counts = case_counts(street_scope(world), *month_bounds(datetime.date(2026, 5, 1)))
    assert counts["received"] == 0 and counts["finish_time"] == 0
    assert rates(counts) == dict.fromkeys(
        ("finish_rate", "sign_rate", "on_time_rate", "satisfaction", "finish_hours")
    )
    assert case_counts(street_scope(world), *month_bounds(datetime.date(2026, 5, 1)), by="category") == []
    assert responder_counts(street_scope(world), *month_bounds(datetime.date(2026, 5, 1))) == []


def test_scoping_of_the_numbers(world, setup, march):
    bounds = month_bounds(MARCH)
    assert case_counts(subtree(world.community_a), *bounds)["received"] == 5
    assert case_counts(subtree(world.grid_b), *bounds)["received"] == 1
    assert case_counts(subtree(world.other_street), *bounds)["received"] == 1
    assert case_counts(Streets((world.street.tree_id, world.other_street.tree_id)), *bounds)["received"] == 7
    assert case_counts(EVERYTHING, *bounds)["received"] == 7
    per_street = {r["street__name"]: r["received"] for r in case_counts(EVERYTHING, *bounds, by="street")}
    assert per_street == {"刘家堡街道": 6, "西一路街道": 1}
    # A community's responders see only the dispatches of its cases.
    assert [r["dispatched"] for r in responder_counts(subtree(world.community_b), *bounds)] == []
    assert [r["name"] for r in responder_counts(subtree(world.other_street), *bounds)] == [
        setup.other_unit.name
    ]


def test_a_constant_number_of_queries(world, march, django_assert_num_queries):
    scope = street_scope(world)
    with django_assert_num_queries(2):  # the cases grouped once, the responders
        data = case_stats(scope, *month_bounds(MARCH))
    assert data["total"]["finish_rate"] == 60.0
    assert {r["category__name"] for r in data["groups"]["category"]} == {"环境卫生", "治安隐患"}


# --- /cases/stats/ ----------------------------------------------------------------------------


def test_the_stats_page_shows_the_street_its_month(login, world, march):
    page = login(world.street_staff).get("/cases/stats/?month=2026-03")
    assert page.status_code == 200
    html = page.content.decode()
    assert "刘家堡街道 · 网格事件统计" in html
    assert "60.0%" in html  # 办结率
    assert "28.0" in html  # average hours to finish
    assert "兰苑社区" in html and "金港社区" in html and "住建（职能部门）" in html
    assert "西一路医院" not in html  # another street's responder


def test_a_secretary_sees_their_community_only(login, world, march):
    html = login(world.secretary_b).get("/cases/stats/?month=2026-03").content.decode()
    assert "金港社区 · 网格事件统计" in html
    assert "兰苑" not in html and "住建" not in html


def test_a_superuser_sees_every_street(login, world, march):
    html = login(world.superuser).get("/cases/stats/?month=2026-03").content.decode()
    assert "按街道" in html and "刘家堡街道" in html and "西一路街道" in html


def test_the_staff_queue_links_to_the_stats(login, world):
    assert 'href="/cases/stats/"' in login(world.street_staff).get("/cases/").content.decode()


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-13", "月份应写作 YYYY-MM"),
        ("3月", "月份应写作 YYYY-MM"),
        ("2099-01", "还没有到"),
        ("1999-12", "2000"),
    ],
)
def test_a_bad_month_is_told_and_changes_nothing(login, world, march, month, message):
    page = login(world.street_staff).get("/cases/stats/", {"month": month})
    assert page.status_code == 400
    assert message in page.content.decode()
    assert login(world.street_staff).get("/cases/stats.xlsx", {"month": month}).status_code == 400


@pytest.mark.parametrize("who", ["volunteer", "unscoped_staff"])
def test_the_stats_are_for_staff(login, world, who):
    assert login(getattr(world, who)).get("/cases/stats/").status_code == 403
    assert login(getattr(world, who)).get("/cases/stats.xlsx").status_code == 403


def test_a_responder_gets_no_stats(login, setup):
    assert login(setup.dept_user).get("/cases/stats/").status_code == 403
    assert login(setup.unit_user).get("/cases/stats/").status_code == 403


def test_the_stats_workbook(login, world, march):
    import io

    from openpyxl import load_workbook

    response = login(world.street_staff).get("/cases/stats.xlsx?month=2026-03")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["按类别", "按社区", "按网格", "响应单位报到"]
    categories = list(book["按类别"].iter_rows(values_only=True))
    assert categories[0][:3] == ("类别", "收到", "办结")
    assert categories[-1][:4] == ("合计", 6, 3, 60.0)
