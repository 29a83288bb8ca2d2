"""A case from the resident's report to the rating, through every level, and the points it earns."""

import pytest

from cases import services
from cases.models import CaseEvent, CaseState, DispatchState, Level
from points.models import PointsEntry
from tests.cases.conftest import checked_photo
from tests.factories import VolunteerFactory


def _refetch(user):
    from portal.models import User

    return User.objects.get(pk=user.pk)


@pytest.mark.django_db
def test_a_resident_case_goes_up_to_the_street_out_to_a_unit_and_back_to_the_resident(world, setup, reported):
    case = reported
    assert case.state == CaseState.REPORTED and case.level == Level.GRID and case.sign_due_at
    services.case_pass_up(case=case, by=_refetch(world.gridworker_a), note="需要城管和供电")
    case.refresh_from_db()
    assert case.level == Level.COMMUNITY and case.state == CaseState.REPORTED
    services.case_pass_up(case=case, by=_refetch(world.secretary_a))
    made = services.case_dispatch(
        case=case, by=_refetch(world.street_staff), departments=[setup.department], units=[setup.unit]
    )
    case.refresh_from_db()
    assert case.state == CaseState.DISPATCHED and len(made) == 2
    dept, unit = made
    services.dispatch_sign(dispatch=unit, by=_refetch(setup.unit_user))
    services.dispatch_arrive(dispatch=unit, by=_refetch(setup.unit_user))
    services.dispatch_complete(
        dispatch=unit, by=_refetch(setup.unit_user), result="已清运", photos=[checked_photo()]
    )
    case.refresh_from_db()
    assert case.state == CaseState.DISPATCHED  # the department still owes its part
    services.dispatch_return(dispatch=dept, by=_refetch(setup.dept_user), reason="不属于住建职责")
    case.refresh_from_db()
    assert case.state == CaseState.DONE and "已清运" in case.result
    services.case_verify(case=case, by=_refetch(world.secretary_a))
    case.refresh_from_db()
    assert case.state == CaseState.VERIFIED
    entry = PointsEntry.objects.get(rule__code=services.RULE_UNIT)
    assert entry.subject_id == setup.unit.pk and entry.source_id == unit.pk
    services.case_rate(case=case, rating=5, comment="很快")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and case.rating == 5
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == [
        "report",
        "pass_up",
        "pass_up",
        "dispatch",
        "sign",
        "arrive",
        "complete",
        "return",
        "all_done",
        "verify",
        "rate",
    ]
    unit.refresh_from_db()
    assert unit.state == DispatchState.DONE and unit.photos.count() == 1


@pytest.mark.django_db
def test_a_grid_worker_handles_it_in_the_grid_and_earns_points_as_a_volunteer(world, setup, reported):
    VolunteerFactory(user=world.gridworker_a, community=world.community_a)
    worker = _refetch(world.gridworker_a)
    services.case_accept(case=reported, by=worker)
    services.case_finish(case=reported, by=worker, result="已联系物业清运", photos=[checked_photo()])
    services.case_verify(case=reported, by=_refetch(world.secretary_a))
    assert PointsEntry.objects.filter(rule__code=services.RULE_PERSON, source_id=reported.pk).count() == 1
    # Verifying twice is refused and earns nothing more.
    with pytest.raises(services.CaseRefused):
        services.case_verify(case=reported, by=_refetch(world.secretary_a))
    assert PointsEntry.objects.filter(rule__code=services.RULE_PERSON).count() == 1


@pytest.mark.django_db
def test_not_solved_reopens_once_then_goes_to_the_community(world, setup, reported):
    worker = _refetch(world.gridworker_a)
    secretary = _refetch(world.secretary_a)
    for expected_level in (Level.GRID, Level.COMMUNITY):
        case = reported.__class__.objects.get(pk=reported.pk)
        by = worker if case.level == Level.GRID else secretary
        services.case_accept(case=case, by=by)
        services.case_finish(case=case, by=by, result="处理了")
        services.case_verify(case=case, by=secretary)
        services.case_unresolved(case=case, reason="垃圾又堆起来了")
        case.refresh_from_db()
        assert case.state == CaseState.REPORTED and case.level == expected_level
    assert case.reopened_count == 2
