"""More races on PostgreSQL: the resident rating and saying "没有解决" at once, two merges crossing, two dispatches."""

from collections import Counter

import pytest

from cases import services
from cases.models import Case, CaseEvent, CaseState, Dispatch
from tests.cases.test_concurrency import _race, _u
from tests.utils import requires_postgresql


def _verified(world, setup, case):
    secretary = _u(world.secretary_a)
    services.case_accept(case=case, by=secretary)
    services.case_finish(case=Case.objects.get(pk=case.pk), by=secretary, result="已清运")
    return services.case_verify(case=Case.objects.get(pk=case.pk), by=secretary)


@requires_postgresql
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rating_and_unresolved_at_once(world, setup, reported):
    _verified(world, setup, reported)
    outcomes, _messages = _race(
        [
            lambda: services.case_rate(case=reported, rating=5),
            lambda: services.case_unresolved(case=reported, reason="还是有垃圾"),
            lambda: services.case_rate(case=reported, rating=1),
        ]
    )
    assert outcomes == Counter({"won": 1, "refused": 2})
    case = Case.objects.get(pk=reported.pk)
    assert case.reopened_count in (0, 1) and (case.state == CaseState.CLOSED) == (case.reopened_count == 0)


@requires_postgresql
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_merges_crossing_and_two_dispatches(world, setup, reported):
    other = services.case_report_resident(
        grid=world.grid_a, category=setup.env, description="3号楼门口垃圾没人管", phone="13700003333"
    )
    street = _u(world.street_staff)
    outcomes, _messages = _race(
        [
            lambda: services.case_merge(case=reported, into=other, by=street),
            lambda: services.case_merge(case=other, into=reported, by=street),
        ]
    )
    assert outcomes == Counter({"won": 1, "refused": 1})
    assert Case.objects.filter(state=CaseState.MERGED).count() == 1
    live = Case.objects.exclude(state=CaseState.MERGED).get()
    outcomes, _messages = _race(
        [
            lambda: services.case_dispatch(case=live, by=street, units=[setup.unit]),
            lambda: services.case_dispatch(case=live, by=street, units=[setup.unit]),
        ]
    )
    assert outcomes == Counter({"won": 1, "refused": 1})
    assert Dispatch.objects.count() == 1
    assert CaseEvent.objects.filter(case=live, action="dispatch").count() == 1
