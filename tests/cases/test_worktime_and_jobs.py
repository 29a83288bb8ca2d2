"""Time limits in working hours on the Chinese calendar, and the overdue job: idempotent, escalating one level."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, CaseState, Dispatch, Level
from cases.worktime import add_working_hours, is_workday, working_hours_between
from inbox.models import Kind, Notification
from portal.models import User
from tests.factories import GridAssignmentFactory

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime.datetime(*args, tzinfo=SH)


def test_a_limit_skips_the_national_day_holiday():
    # 2026-09-30 is a Wednesday; 1–7 October are holidays.
    assert add_working_hours(at(2026, 9, 30, 15, 0), 4) == at(2026, 10, 8, 11, 0)


def test_an_adjusted_working_day_on_a_weekend_counts():
    # Saturday 2026-10-10 is a working day (调休); Friday 9 October too.
    assert is_workday(datetime.date(2026, 10, 10))
    assert add_working_hours(at(2026, 10, 9, 16, 0), 2) == at(2026, 10, 10, 10, 0)


def test_an_ordinary_weekend_does_not_count():
    # Friday 2026-11-27 16:00 + 4 h: one hour on Friday, three on Monday.
    assert add_working_hours(at(2026, 11, 27, 16, 0), 4) == at(2026, 11, 30, 12, 0)
    assert working_hours_between(at(2026, 11, 27, 16, 0), at(2026, 11, 30, 12, 0)) == 4


def test_a_year_without_calendar_data_counts_monday_to_friday():
    assert is_workday(datetime.date(2030, 1, 7)) and not is_workday(datetime.date(2030, 1, 5))


def test_hours_before_the_day_starts_wait_for_it():
    assert add_working_hours(at(2026, 11, 30, 6, 30), 1) == at(2026, 11, 30, 10, 0)


def _u(user):
    return User.objects.get(pk=user.pk)


@pytest.mark.django_db
def test_the_job_escalates_an_overdue_case_once_and_tells_the_community(world, setup, reported):
    late = reported.sign_due_at + datetime.timedelta(minutes=1)
    assert (
        services.cases_check_overdue(now=reported.sign_due_at - datetime.timedelta(minutes=1))["cases"] == 0
    )
    first = services.cases_check_overdue(now=late)
    second = services.cases_check_overdue(now=late + datetime.timedelta(minutes=5))
    assert first["cases"] == 1 and second["cases"] == 0
    case = Case.objects.get(pk=reported.pk)
    assert case.level == Level.COMMUNITY and case.state == CaseState.REPORTED and case.sign_overdue_at == late
    assert CaseEvent.objects.filter(case=case, action="overdue_sign").count() == 1
    told = Notification.objects.filter(kind=Kind.CASE_OVERDUE)
    assert {n.recipient_id for n in told} == {world.secretary_a.pk, world.street_staff.pk}


@pytest.mark.django_db
def test_overdue_finishing_at_the_street_and_late_dispatches_are_marked(world, setup, reported):
    [dispatch] = services.case_dispatch(case=reported, by=_u(world.street_staff), units=[setup.unit])
    case = Case.objects.get(pk=reported.pk)
    late = max(case.finish_due_at, dispatch.sign_due_at) + datetime.timedelta(minutes=1)
    result = services.cases_check_overdue(now=late)
    assert result == {"cases": 1, "dispatches": 1, "near": 0}
    assert services.cases_check_overdue(now=late) == {"cases": 0, "dispatches": 0, "near": 0}
    case.refresh_from_db()
    assert case.level == Level.STREET and case.finish_overdue_at == late
    assert Dispatch.objects.get().sign_overdue_at == late
    assert Notification.objects.filter(kind=Kind.CASE_OVERDUE, recipient=setup.unit_user).exists()


@pytest.mark.django_db
def test_the_holder_is_reminded_once_near_the_limit(world, setup, reported):
    GridAssignmentFactory(person=world.gridworker_a, grid=world.grid_a)
    services.case_accept(case=reported, by=_u(world.gridworker_a))
    case = Case.objects.get(pk=reported.pk)
    soon = case.finish_due_at - datetime.timedelta(hours=1)
    assert services.cases_check_overdue(now=soon)["near"] == 1
    assert services.cases_check_overdue(now=soon)["near"] == 0
    assert Notification.objects.filter(kind=Kind.CASE_NEAR_LIMIT, recipient=world.gridworker_a).count() == 1


@pytest.mark.django_db
def test_the_job_with_nothing_due_reads_little(world, setup, reported, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert services.cases_check_overdue(now=timezone.now()) == {"cases": 0, "dispatches": 0, "near": 0}


@pytest.mark.django_db
def test_the_celery_task_runs_the_job(world, setup):
    from cases.tasks import check_overdue

    assert check_overdue.delay().get() == {"cases": 0, "dispatches": 0, "near": 0}


@pytest.mark.django_db
def test_a_case_accepted_after_the_job_read_it_is_left_alone(world, setup, reported):
    from cases.services.jobs import _escalate

    late = reported.sign_due_at + datetime.timedelta(minutes=1)
    services.case_accept(case=reported, by=_u(world.gridworker_a))
    assert _escalate(reported.pk, late, finishing=False) is False
    case = Case.objects.get(pk=reported.pk)
    assert case.state == CaseState.HANDLING and case.sign_overdue_at is None and case.level == Level.GRID


def test_working_hours_that_make_no_day_are_reported(settings):
    from cases.checks import workday_hours

    assert workday_hours(None) == []
    settings.CASES_WORKDAY_START, settings.CASES_WORKDAY_END = 17, 9
    assert [e.id for e in workday_hours(None)] == ["cases.E001"]
