"""Health check, sign-in, lockout, role landing pages and the language switch."""

import pytest
from django.db import OperationalError
from django.urls import reverse

from tests.utils import requires_redis


def test_healthz_answers_ok_with_a_small_json_body(client, db, settings):
    settings.REDIS_URL = None
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_names_the_database_when_it_fails(client, db, settings, monkeypatch):
    settings.REDIS_URL = None

    class Unreachable:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("portal.views.connection", Unreachable())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


def test_healthz_names_redis_when_it_fails(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == "unavailable"
    assert response.json()["database"] == "ok"


@requires_redis
@pytest.mark.redis
def test_healthz_checks_the_real_redis(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["redis"] == "ok"


@requires_redis
@pytest.mark.redis
def test_the_cache_is_shared_through_redis(db):
    from django.conf import settings
    from django.core.cache import cache
    from redis import Redis

    cache.set("shared-key", "value", 30)
    raw = Redis.from_url(settings.REDIS_URL)
    assert any(b"shared-key" in key for key in raw.keys("*shared-key*"))


def test_landing_page_is_public(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "党建引领基层治理" in response.content.decode()


@pytest.mark.parametrize(
    "who, target",
    [
        ("street_staff", "dashboard:home"),
        ("secretary_a", "dashboard:home"),
        ("gridworker_a", "grids:visit_new"),
        ("volunteer", "dashboard:me"),
    ],
)
def test_after_sign_in_each_role_lands_where_its_work_is(login, world, who, target):
    response = login(getattr(world, who)).get(reverse("dashboard:after_login"))
    assert response.status_code == 302
    assert response["Location"] == reverse(target)


def test_signing_in_through_the_form_works(client, world):
    response = client.post(reverse("login"), {"username": "secretary_a", "password": "pass-12345"})
    assert response.status_code == 302
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_repeated_failures_lock_the_login(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "secretary_a", "password": "wrong"})
        assert response.status_code == 200
    last = client.post(reverse("login"), {"username": "secretary_a", "password": "wrong"})
    assert last.status_code == 429
    locked = client.post(reverse("login"), {"username": "secretary_a", "password": "pass-12345"})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_dashboard_is_for_staff(client, login, world):
    assert client.get(reverse("dashboard:home")).status_code == 302
    assert login(world.volunteer).get(reverse("dashboard:home")).status_code == 403
    response = login(world.secretary_a).get(reverse("dashboard:home"))
    assert response.status_code == 200
    nodes = [node for node, _stats in response.context["rows"]]
    assert nodes == [world.community_a, world.grid_a]


def test_me_shows_roles_and_scope(login, world):
    page = login(world.secretary_a).get(reverse("dashboard:me")).content.decode()
    assert "社区书记" in page and world.community_a.name in page


def test_chinese_is_the_default_and_english_is_available(client, db):
    assert "党建引领基层治理" in client.get("/").content.decode()
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in english
    assert "Party-building-led grassroots governance" in english


def test_the_language_switcher_sets_english(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert "Party-building-led grassroots governance" in client.get("/").content.decode()
