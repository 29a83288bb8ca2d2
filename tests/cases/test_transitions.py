"""The transition table: every case action tried from every state; allowed ones go through, refused ones change nothing."""

import pytest

from cases import services, transitions
from cases.models import Case, CaseEvent, CaseState, Dispatch, DispatchState, Level
from portal.models import User


def _u(user):
    return User.objects.get(pk=user.pk)


def _calls(world, setup):
    street = lambda: _u(world.street_staff)  # noqa: E731
    return {
        "accept": lambda c: services.case_accept(case=c, by=street()),
        "decline": lambda c: services.case_decline(case=c, by=street(), reason="不归街道管"),
        "pass_up": lambda c: services.case_pass_up(case=c, by=street()),
        "send_back": lambda c: services.case_send_back(case=c, by=street(), reason="网格先处理"),
        "finish": lambda c: services.case_finish(case=c, by=street(), result="办好了"),
        "to_wish": lambda c: services.case_to_wish(case=c, by=street()),
        "dispatch": lambda c: services.case_dispatch(case=c, by=street(), departments=[setup.department]),
        "supervise": lambda c: services.case_supervise(case=c, by=street(), note="请加快"),
        "verify": lambda c: services.case_verify(case=c, by=street()),
        "redo": lambda c: services.case_redo(case=c, by=street(), reason="没办好"),
        "rate": lambda c: services.case_rate(case=c, rating=5),
        "unresolved": lambda c: services.case_unresolved(case=c, reason="还是坏的"),
    }


_CASES = [
    (action, state)
    for action in (
        "accept",
        "decline",
        "pass_up",
        "send_back",
        "finish",
        "to_wish",
        "dispatch",
        "supervise",
        "verify",
        "redo",
        "rate",
        "unresolved",
    )
    for state in CaseState.values
]


@pytest.mark.django_db
@pytest.mark.parametrize("action, state", _CASES)
def test_each_action_from_each_state(world, setup, reported, action, state):
    # Held at the community, so passing up and sending back are both possible.
    Case.objects.filter(pk=reported.pk).update(state=state, level=Level.COMMUNITY)
    case = Case.objects.get(pk=reported.pk)
    before = CaseEvent.objects.filter(case=case).count()
    call = _calls(world, setup)[action]
    if transitions.allowed(action, state):
        call(case)
        case.refresh_from_db()
        assert case.state == transitions.target(action, state) or action == "verify"
        assert CaseEvent.objects.filter(case=case).count() > before
    else:
        with pytest.raises(services.CaseRefused) as refused:
            call(case)
        assert "不能" in " ".join(refused.value.messages)
        case.refresh_from_db()
        assert case.state == state
        assert CaseEvent.objects.filter(case=case).count() == before


_DISPATCH_CASES = [
    (action, state) for action in ("sign", "arrive", "complete", "return") for state in DispatchState.values
]


@pytest.mark.django_db
@pytest.mark.parametrize("action, state", _DISPATCH_CASES)
def test_each_responder_action_from_each_dispatch_state(world, setup, reported, action, state):
    [dispatch] = services.case_dispatch(case=reported, by=_u(world.street_staff), units=[setup.unit])
    Dispatch.objects.filter(pk=dispatch.pk).update(state=state)
    dispatch.refresh_from_db()
    by = _u(setup.unit_user)
    call = {
        "sign": lambda: services.dispatch_sign(dispatch=dispatch, by=by),
        "arrive": lambda: services.dispatch_arrive(dispatch=dispatch, by=by),
        "complete": lambda: services.dispatch_complete(dispatch=dispatch, by=by, result="好了"),
        "return": lambda: services.dispatch_return(dispatch=dispatch, by=by, reason="不归我们"),
    }[action]
    before = CaseEvent.objects.count()
    if transitions.allowed(action, state):
        call()
        dispatch.refresh_from_db()
        assert dispatch.state == transitions.target(action, state)
    else:
        with pytest.raises(services.CaseRefused):
            call()
        dispatch.refresh_from_db()
        assert dispatch.state == state and CaseEvent.objects.count() == before


@pytest.mark.django_db
def test_the_loser_of_a_race_is_told_who_got_there_first(world, setup, reported):
    worker = _u(world.gridworker_a)
    worker.full_name = "张网格"
    worker.save()
    stale = Case.objects.get(pk=reported.pk)
    services.case_accept(case=reported, by=worker)
    with pytest.raises(services.CaseRefused) as refused:
        services.case_accept(case=stale, by=_u(world.secretary_a))
    assert "已被张网格于" in refused.value.messages[0] and "受理" in refused.value.messages[0]


@pytest.mark.django_db
def test_the_grid_cannot_act_on_a_case_held_by_the_community(world, setup, reported):
    services.case_pass_up(case=reported, by=_u(world.gridworker_a))
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.case_accept(case=reported, by=_u(world.gridworker_a))
    with pytest.raises(PermissionDenied):
        services.case_dispatch(case=reported, by=_u(world.secretary_a), units=[setup.unit])


@pytest.mark.django_db
def test_a_tampered_responder_is_refused(world, setup, reported):
    with pytest.raises(services.CaseRefused):
        services.case_dispatch(case=reported, by=_u(world.street_staff), departments=[setup.other_department])
    with pytest.raises(services.CaseRefused):
        services.case_dispatch(case=reported, by=_u(world.street_staff), units=[setup.other_unit])
    assert not Dispatch.objects.exists()


@pytest.mark.django_db
def test_transfer_and_merge(world, setup, reported):
    street = _u(world.street_staff)
    [first] = services.case_dispatch(case=reported, by=street, departments=[setup.department])
    [second] = services.dispatch_transfer(dispatch=first, by=street, units=[setup.unit], reason="属于供电")
    first.refresh_from_db()
    assert first.state == DispatchState.RETURNED and second.unit == setup.unit
    duplicate = services.case_report_resident(
        grid=world.grid_a, category=setup.env, description="北门垃圾没人清运", phone="13900001111"
    )
    services.case_merge(case=duplicate, into=reported, by=street)
    duplicate.refresh_from_db()
    assert duplicate.state == CaseState.MERGED and duplicate.merged_into == reported


def test_every_action_name_fits_the_log():
    width = CaseEvent._meta.get_field("action").max_length
    assert all(len(name) <= width for name in transitions.ACTIONS)
