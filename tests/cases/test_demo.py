"""The cases part of seed_demo: a year of a street's cases, a realistic mix, a log that agrees with the states."""

import datetime
from collections import Counter

import pytest

from cases import demo
from cases.models import Case, CaseEvent, CaseState, Category, Department, Dispatch, DispatchState
from cases.selectors import case_counts, rates
from portal.months import add_months, month_bounds, this_month
from portal.scoping import Subtree
from tests.alliances.conftest import ctx  # noqa: F401
from tests.factories import GridNodeFactory, MemberUnitFactory


@pytest.fixture
def street(ctx):  # noqa: F811
    ctx.grids = [GridNodeFactory(parent=c, name=f"{c.name}第1网格") for c in ctx.communities]
    ctx.street.refresh_from_db()
    for n in range(3):
        MemberUnitFactory(grid=ctx.street, name=f"驻区单位{n}")
    demo.seed_street(ctx)
    return ctx


def test_a_year_of_cases_with_a_realistic_mix(street):
    cases = Case.objects.filter(street=street.street)
    total = cases.count()
    assert 4_900 <= total <= 5_000
    states = Counter(cases.values_list("state", flat=True))
    assert states[CaseState.CLOSED] > 0.7 * total  # most closed
    for state in (CaseState.VERIFIED, CaseState.DECLINED, CaseState.MERGED, CaseState.TO_WISH):
        assert states[state] > 0, state
    assert sum(states[state] for state in Case.OPEN) > 0  # the last days' (which steps depends on the hour)
    assert 0 < cases.filter(reopened_count=1).count() < 0.1 * total  # a few reopened
    assert cases.filter(rating__isnull=False).count() > 0.3 * total
    open_overdue = cases.filter(state__in=Case.OPEN).exclude(sign_overdue_at=None, finish_overdue_at=None)
    assert open_overdue.exists()
    assert Category.objects.filter(street=street.street).count() == 6
    departments = Department.objects.filter(street=street.street)
    assert departments.count() == 12
    assert all(d.liaisons.count() == 2 for d in departments)
    dispatches = Dispatch.objects.filter(case__street=street.street)
    assert (
        dispatches.filter(unit__isnull=False).exists()
        and dispatches.filter(department__isnull=False).exists()
    )
    states = set(dispatches.values_list("state", flat=True))
    assert {DispatchState.DONE, DispatchState.RETURNED} <= states
    assert states & set(Dispatch.LIVE)  # some still being answered (which step depends on the hour)


def test_the_log_agrees_with_the_states(street):
    last = {}
    for case_id, to_state in (
        CaseEvent.objects.filter(dispatch__isnull=True)
        .exclude(action__in=["overdue_sign", "overdue_finish"])
        .order_by("at", "pk")
        .values_list("case_id", "to_state")
    ):
        last[case_id] = to_state
    for pk, state in Case.objects.values_list("pk", "state"):
        assert last[pk] == state, pk
    for pk, state in Dispatch.objects.values_list("pk", "state"):
        events = list(CaseEvent.objects.filter(dispatch_id=pk).exclude(action__startswith="dispatch_overdue"))
        assert (events[-1].to_state if events else DispatchState.DISPATCHED) == state
    assert not CaseEvent.objects.filter(case__reported_at__gt=datetime.datetime.now(datetime.UTC)).exists()


def test_the_numbers_of_a_demo_month(street):
    counts = case_counts(Subtree.of(street.street), *month_bounds(add_months(this_month(), -2)))
    shown = rates(counts)
    assert 300 <= counts["received"] <= 540
    assert 80 <= shown["finish_rate"] <= 100
    assert 70 <= shown["sign_rate"] < 100 and 60 <= shown["on_time_rate"] < 100
    assert 70 <= shown["satisfaction"] < 100


def test_a_second_run_changes_nothing(street):
    before = (
        Case.objects.count(),
        Dispatch.objects.count(),
        CaseEvent.objects.count(),
        Department.objects.count(),
    )
    demo.seed_street(street)
    assert (
        Case.objects.count(),
        Dispatch.objects.count(),
        CaseEvent.objects.count(),
        Department.objects.count(),
    ) == before
