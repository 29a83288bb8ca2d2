"""Two people acting on one case at the same moment: one wins, the other is told "已被…处理", nothing half-written.

Threads with their own PostgreSQL connections; SQLite serialises every write
transaction, so these only prove something on PostgreSQL and are skipped elsewhere.
"""

import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from cases import services
from cases.models import Case, CaseEvent, CaseState, Dispatch, DispatchState
from portal.models import User
from tests.utils import requires_postgresql


def _race(jobs):
    barrier = threading.Barrier(len(jobs))
    outcomes, messages = [], []
    lock = threading.Lock()

    def run(job):
        message = ""
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            job()
            outcome = "won"
        except ValidationError as error:
            outcome, message = "refused", " ".join(error.messages)
        except Exception as error:  # anything else is a bug the test must show
            outcome = f"error: {error!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)
            messages.append(message)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return Counter(outcomes), [m for m in messages if m]


def _u(user):
    return User.objects.get(pk=user.pk)


@requires_postgresql
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_accepting_and_passing_up_at_once(world, setup, reported):
    worker, secretary = _u(world.gridworker_a), _u(world.secretary_a)
    outcomes, messages = _race(
        [
            lambda: services.case_accept(case=reported, by=worker),
            lambda: services.case_decline(case=reported, by=secretary, reason="不归我们管"),
        ]
    )
    assert outcomes == Counter({"won": 1, "refused": 1})
    assert len(messages) == 1 and messages[0].startswith("已被")
    case = Case.objects.get(pk=reported.pk)
    assert case.state in (CaseState.HANDLING, CaseState.DECLINED)
    assert CaseEvent.objects.filter(case=case).count() == 2  # the report and the winner, nothing else


@requires_postgresql
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_responder_finishing_while_the_street_transfers(world, setup, reported):
    street = _u(world.street_staff)
    [dispatch] = services.case_dispatch(case=reported, by=street, units=[setup.unit])
    services.dispatch_sign(dispatch=dispatch, by=_u(setup.unit_user))
    liaison = _u(setup.unit_user)
    outcomes, messages = _race(
        [
            lambda: services.dispatch_complete(dispatch=dispatch, by=liaison, result="已修好"),
            lambda: services.dispatch_transfer(
                dispatch=dispatch, by=street, departments=[setup.department], reason="转住建"
            ),
        ]
    )
    assert outcomes == Counter({"won": 1, "refused": 1})
    assert "已被" in messages[0]
    dispatch.refresh_from_db()
    live = Dispatch.objects.filter(case=reported, state__in=Dispatch.LIVE).count()
    if dispatch.state == DispatchState.DONE:
        assert live == 0 and Case.objects.get(pk=reported.pk).state == CaseState.DONE
    else:
        assert dispatch.state == DispatchState.RETURNED and live == 1


@requires_postgresql
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_clicks_on_sign_sign_once(world, setup, reported):
    [dispatch] = services.case_dispatch(case=reported, by=_u(world.street_staff), units=[setup.unit])
    liaison = _u(setup.unit_user)
    outcomes, _messages = _race([lambda: services.dispatch_sign(dispatch=dispatch, by=liaison)] * 10)
    assert outcomes == Counter({"won": 1, "refused": 9})
    assert CaseEvent.objects.filter(dispatch=dispatch, action="sign").count() == 1
