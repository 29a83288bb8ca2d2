"""Shared fixtures: a small world with one user per role, on two streets, and browser pages."""

import os
from types import SimpleNamespace

import pytest

from portal.roles import Role
from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    GridNodeFactory,
    HouseholdFactory,
    StreetFactory,
    make_user,
)


def pytest_collection_modifyitems(items):
    """Transactional tests restore what migrations created (role groups, default rules).

    A transactional test ends by emptying every table; without serialized
    rollback the rows that data migrations wrote would be gone for every test
    that runs after it.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None:
            wanted = {**marker.kwargs, "serialized_rollback": True}
            if marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
                item.add_marker(pytest.mark.django_db(*marker.args, **wanted), append=False)
            continue
        names = getattr(item, "fixturenames", None)
        if names is None or "django_db_serialized_rollback" in names:
            continue
        if "transactional_db" in names or "live_server" in names:
            names.append("django_db_serialized_rollback")


@pytest.fixture(scope="session", autouse=True)
def _no_stray_connections(django_db_setup, django_db_blocker):
    """End connections the live server's request threads left open.

    Those threads serve the browser's keep-alive sockets and can outlive the
    browser; on PostgreSQL an open connection stops the test database from
    being dropped at the end of the run.
    """
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(scope="session", autouse=True)
def _tasks_run_in_process():
    """No worker runs during tests: Celery tasks run in-process even when REDIS_URL is set."""
    from portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _fast_and_plain_settings(settings, tmp_path):
    # Private files (uploads kept between preview and confirm, job files) of this test only.
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    # Hashing with PBKDF2 costs ~0.3 s per password; tests only need it to work.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest storage needs collectstatic; tests read the source files.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _clear_cache(settings):
    from django.core.cache import cache

    from portal import pagecache

    # The process's own copy of public pages stays off unless a test turns it on:
    # tests change data and expect the next page to show it.
    settings.PAGECACHE_LOCAL_SECONDS = 0
    cache.clear()
    pagecache.LOCAL.clear()
    yield
    cache.clear()
    pagecache.LOCAL.clear()


@pytest.fixture
def world(db):
    """Street S (communities A and B, one grid each, a building each) and street T.

    Users: superuser, street staff of S, secretaries of A and B, a grid worker
    of grid A, a volunteer (no scope), a staff account with no profile.
    """
    street = StreetFactory(name="刘家堡街道")
    other_street = StreetFactory(name="西一路街道")
    community_a = CommunityFactory(parent=street, name="兰苑社区")
    community_b = CommunityFactory(parent=street, name="金港社区")
    community_c = CommunityFactory(parent=other_street, name="民主社区")
    grid_a = GridNodeFactory(parent=community_a, name="兰苑第1网格")
    grid_b = GridNodeFactory(parent=community_b, name="金港第1网格")
    grid_c = GridNodeFactory(parent=community_c, name="民主第1网格")
    building_a = BuildingFactory(grid=grid_a, name="1号楼")
    building_b = BuildingFactory(grid=grid_b, name="1号楼")
    return SimpleNamespace(
        street=street,
        other_street=other_street,
        community_a=community_a,
        community_b=community_b,
        community_c=community_c,
        grid_a=grid_a,
        grid_b=grid_b,
        grid_c=grid_c,
        building_a=building_a,
        building_b=building_b,
        household_a=HouseholdFactory(building=building_a, room="101"),
        household_b=HouseholdFactory(building=building_b, room="101"),
        superuser=make_user(username="root", is_superuser=True, is_staff=True),
        street_staff=make_user(Role.STREET_STAFF, street, username="street"),
        secretary_a=make_user(Role.COMMUNITY_SECRETARY, community_a, username="secretary_a"),
        secretary_b=make_user(Role.COMMUNITY_SECRETARY, community_b, username="secretary_b"),
        gridworker_a=make_user(Role.GRID_WORKER, grid_a, username="gridworker_a"),
        volunteer=make_user(Role.VOLUNTEER, username="volunteer"),
        unscoped_staff=make_user(username="unscoped", is_staff=True),
    )


def _refetch(user):
    # A fresh object: no cached scope, roles or permissions from setup.
    from portal.models import User

    return User.objects.get(pk=user.pk)


@pytest.fixture
def login(client):
    """login(user) signs the test client in as that user and returns the client."""

    def _login(user):
        client.force_login(_refetch(user))
        return client

    return _login


@pytest.fixture
def phone_page(live_server, transactional_db, monkeypatch):
    """A Playwright page in Debian's chromium at phone size (375×812), signed out.

    `phone_page.goto(path)` is relative to the live server; `shoot(name)`
    saves a screenshot under test-output/screenshots/.
    """
    yield from _browser_page(live_server, monkeypatch, {"width": 375, "height": 812}, mobile=True)


@pytest.fixture
def desktop_page(live_server, transactional_db, monkeypatch):
    yield from _browser_page(live_server, monkeypatch, {"width": 1366, "height": 900}, mobile=False)


def _browser_page(live_server, monkeypatch, viewport, mobile):
    from tests.utils import CHROMIUM, SCREENSHOTS, browser_args

    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (scripts/system-deps test)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # the test itself makes here are still plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The live server answers each request in a thread of its own; persistent
    # connections would outlive the test and block dropping the test database.
    from django.db import connection

    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=browser_args())
        context = browser.new_context(
            viewport=viewport,
            is_mobile=mobile,
            has_touch=mobile,
            locale="zh-CN",
            base_url=live_server.url,
        )
        page = context.new_page()
        page.set_default_timeout(15_000)

        def shoot(name):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

        page.shoot = shoot
        yield page
        context.close()
        browser.close()
