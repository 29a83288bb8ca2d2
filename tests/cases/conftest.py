"""Fixtures for grid cases: a street's categories, a department and a member unit with liaisons, photos."""

import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cases import services
from cases.models import Category, Department, Level
from portal.photos import normalise_photo
from portal.roles import Role
from tests.factories import MemberUnitFactory, make_user


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _tasks_in_process():
    from portal.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def image_bytes(fmt="JPEG", size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name="p.jpg", data=None):
    return SimpleUploadedFile(name, data or image_bytes(), content_type="image/jpeg")


def checked_photo():
    content, _w, _h = normalise_photo(upload(), max_bytes=5 * 1024 * 1024)
    return content


@pytest.fixture
def setup(world):
    """Categories of street S, a department and a member unit each with a liaison, and a liaison of neither."""
    env = Category.objects.create(
        street=world.street, name="环境卫生", first_level=Level.GRID, sign_hours=4, finish_hours=16
    )
    security = Category.objects.create(
        street=world.street,
        name="治安隐患",
        first_level=Level.COMMUNITY,
        sign_hours=Decimal("2"),
        finish_hours=8,
    )
    other = Category.objects.create(street=world.other_street, name="环境卫生", sign_hours=4, finish_hours=16)
    dept_user = make_user(username="zhujian")
    department = Department.objects.create(street=world.street, name="住建")
    department.liaisons.add(dept_user)
    other_department = Department.objects.create(street=world.other_street, name="城管")
    unit_user = make_user(Role.UNIT_LIAISON, username="unit_liaison")
    unit = MemberUnitFactory(grid=world.street, name="供电公司刘家堡所")
    unit.liaisons.add(unit_user)
    other_unit = MemberUnitFactory(grid=world.other_street, name="西一路医院")
    stranger = make_user(Role.UNIT_LIAISON, username="stranger")
    return SimpleNamespace(
        env=env,
        security=security,
        other_category=other,
        department=department,
        dept_user=dept_user,
        other_department=other_department,
        unit=unit,
        unit_user=unit_user,
        other_unit=other_unit,
        stranger=stranger,
    )


@pytest.fixture
def reported(world, setup):
    """A resident's case in grid A, waiting at the grid level."""
    return services.case_report_resident(
        grid=world.grid_a,
        category=setup.env,
        description="3号楼门口的垃圾三天没人清运了",
        phone="13700002222",
        address="3号楼门口",
    )
