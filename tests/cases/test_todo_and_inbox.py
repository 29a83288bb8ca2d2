"""我的待办 for each role, and who is told what when a case moves."""

import pytest

from cases import services
from cases.models import Case
from inbox.board import todo_for
from inbox.models import Kind, Notification
from portal.models import User
from tests.factories import GridAssignmentFactory


def _u(user):
    return User.objects.get(pk=user.pk)


def _keys(user):
    return {section.key: section.count for section in todo_for(_u(user)).sections}


@pytest.mark.django_db
def test_each_role_sees_what_it_owes(world, setup, reported):
    assert _keys(world.gridworker_a).get("cases_waiting") == 1
    assert "cases_waiting" not in _keys(world.secretary_a)
    services.case_pass_up(case=reported, by=_u(world.gridworker_a))
    assert _keys(world.secretary_a).get("cases_waiting") == 1
    assert "cases_waiting" not in _keys(world.gridworker_a)
    services.case_pass_up(case=reported, by=_u(world.secretary_a))
    assert _keys(world.street_staff).get("cases_waiting") == 1
    services.case_dispatch(case=reported, by=_u(world.street_staff), units=[setup.unit])
    assert _keys(setup.unit_user).get("cases_dispatched") == 1
    assert "cases_dispatched" not in _keys(setup.dept_user) and "cases_dispatched" not in _keys(
        setup.stranger
    )
    [dispatch] = reported.dispatches.all()
    services.dispatch_sign(dispatch=dispatch, by=_u(setup.unit_user))
    services.dispatch_complete(dispatch=dispatch, by=_u(setup.unit_user), result="已处理")
    assert _keys(world.secretary_a).get("cases_verify") == 1
    case = Case.objects.get(pk=reported.pk)
    services.cases_check_overdue(now=case.finish_due_at.replace(year=case.finish_due_at.year + 1))
    assert "cases_overdue" not in _keys(world.street_staff)  # done cases are not overdue to the street


@pytest.mark.django_db
def test_the_street_sees_overdue_cases(world, setup, reported):
    services.cases_check_overdue(now=reported.sign_due_at.replace(year=reported.sign_due_at.year + 1))
    assert _keys(world.street_staff).get("cases_overdue") == 1


@pytest.mark.django_db
def test_people_are_told_at_each_step(world, setup, reported):
    GridAssignmentFactory(person=world.gridworker_a, grid=world.grid_a)
    # The report itself was told before the assignment existed; the next move tells the community.
    services.case_pass_up(case=reported, by=_u(world.gridworker_a))
    assert Notification.objects.filter(kind=Kind.CASE_WAITING, recipient=world.secretary_a).exists()
    services.case_pass_up(case=reported, by=_u(world.secretary_a))
    assert Notification.objects.filter(kind=Kind.CASE_WAITING, recipient=world.street_staff).exists()
    [dispatch] = services.case_dispatch(case=reported, by=_u(world.street_staff), units=[setup.unit])
    assert Notification.objects.filter(kind=Kind.CASE_DISPATCHED, recipient=setup.unit_user).exists()
    services.dispatch_return(dispatch=dispatch, by=_u(setup.unit_user), reason="不属于本单位")
    assert Notification.objects.filter(kind=Kind.DISPATCH_RETURNED, recipient=world.street_staff).exists()
    [again] = services.case_dispatch(case=reported, by=_u(world.street_staff), departments=[setup.department])
    services.dispatch_sign(dispatch=again, by=_u(setup.dept_user))
    services.dispatch_complete(dispatch=again, by=_u(setup.dept_user), result="修好了")
    assert Notification.objects.filter(kind=Kind.CASE_DONE, recipient=world.secretary_a).exists()
    services.case_verify(case=reported, by=_u(world.secretary_a))
    sms = Notification.objects.get(kind=Kind.CASE_VERIFIED)
    assert sms.phone == "13700002222" and reported.code in sms.body
    assert not Notification.objects.filter(phone="13700002222").exclude(kind=Kind.CASE_VERIFIED).exists()


@pytest.mark.django_db
def test_a_declined_case_tells_the_resident_the_reason(world, setup, reported):
    services.case_decline(case=reported, by=_u(world.gridworker_a), reason="属于供水公司，请拨打 96xxx")
    note = Notification.objects.get(kind=Kind.CASE_DECLINED)
    assert "供水公司" in note.body and note.phone == "13700002222"
