"""Fixtures for the inbox tests: claimants of every kind, a wish in each state, tasks in process."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from portal.roles import Role
from tests.factories import (
    GridAssignmentFactory,
    MemberUnitFactory,
    VolunteerFactory,
    VolunteerTeamFactory,
    make_user,
)
from wishes import services
from wishes.models import Wish


@pytest.fixture(autouse=True)
def _tasks_in_process(settings):
    # With REDIS_URL set, tasks would go to a broker no worker reads in tests.
    from portal.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    settings.SMS_SENDER = "inbox.sms.LoggingSmsBackend"
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _fresh_places():
    from wishes.selectors import forget_places

    forget_places()
    yield
    forget_places()


@pytest.fixture
def daytime(monkeypatch):
    """Pin "now" to 10:00 local time today, outside anybody's quiet hours."""
    fixed = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(10, 0)))
    monkeypatch.setattr("inbox.services.timezone.now", lambda: fixed)
    return fixed


@pytest.fixture
def people(world):
    """A volunteer (world.volunteer), a team leader, a unit liaison, and grid_a's grid worker on duty."""
    world.gridworker_a.phone = "13811112222"
    world.gridworker_a.save(update_fields=["phone"])
    GridAssignmentFactory(person=world.gridworker_a, grid=world.grid_a)
    volunteer = VolunteerFactory(
        user=world.volunteer, community=world.community_a, name="李志强", phone="13900001234"
    )
    leader_user = make_user(Role.VOLUNTEER, username="leader")
    leader = VolunteerFactory(
        user=leader_user, community=world.community_a, name="赵队长", phone="13900005678"
    )
    team = VolunteerTeamFactory(community=world.community_a, leader=leader, name="兰苑助老服务队")
    liaison = make_user(Role.UNIT_LIAISON, username="liaison", email="bank@example.org")
    unit = MemberUnitFactory(grid=world.street, name="兰州银行刘家堡支行")
    unit.liaisons.add(liaison)
    return SimpleNamespace(
        volunteer=volunteer,
        volunteer_user=world.volunteer,
        leader_user=leader_user,
        leader=leader,
        team=team,
        liaison=liaison,
        unit=unit,
    )


@pytest.fixture
def submitted(world):
    return services.wish_submit(
        name="王秀英",
        phone="13700001111",
        grid=world.grid_a,
        category=Wish.Category.DAILY,
        text="希望有人帮忙修理家里漏水的水龙头",
        wanted_by=timezone.localdate() + datetime.timedelta(days=30),
    )


@pytest.fixture
def published(world, submitted):
    return services.wish_publish(
        wish=submitted,
        by=world.secretary_a,
        public_text="希望有人帮忙修理漏水的水龙头",
        category=Wish.Category.DAILY,
        slots=1,
        priority=Wish.Priority.NORMAL,
    )
