"""Fixtures for the micro-wish tests: claimants of every kind and wishes in each state."""

import datetime
import io
from types import SimpleNamespace

import pytest
from django.utils import timezone
from PIL import Image

from portal.roles import Role
from tests.factories import MemberUnitFactory, VolunteerFactory, VolunteerTeamFactory, WishFactory, make_user
from wishes import services
from wishes.models import Wish


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _tasks_in_process():
    # With REDIS_URL set (the PostgreSQL + Redis run) tasks would go to a
    # broker no worker reads in tests; run them here, as without Redis.
    from portal.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture(autouse=True)
def _fresh_places():
    # Each test builds its own grid tree; forget the previous test's street lists.
    from wishes.selectors import forget_places

    forget_places()
    yield
    forget_places()


@pytest.fixture
def people(world):
    """A volunteer (world.volunteer's own record), a team leader and a unit liaison, in community A."""
    volunteer = VolunteerFactory(user=world.volunteer, community=world.community_a, name="李志强")
    leader_user = make_user(Role.VOLUNTEER, username="leader")
    leader = VolunteerFactory(user=leader_user, community=world.community_a, name="赵队长")
    team = VolunteerTeamFactory(community=world.community_a, leader=leader, name="兰苑助老服务队")
    liaison = make_user(Role.UNIT_LIAISON, username="liaison")
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
    """A wish as the public form makes it, with its first history row."""
    return services.wish_submit(
        name="王秀英",
        phone="13700001111",
        grid=world.grid_a,
        category=Wish.Category.DAILY,
        text="希望有人帮忙修理家里漏水的水龙头",
        wanted_by=timezone.localdate() + datetime.timedelta(days=30),
    )


@pytest.fixture
def published(world):
    return WishFactory(grid=world.grid_a, status=Wish.Status.PUBLISHED)


def image_bytes(fmt="JPEG", size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()
