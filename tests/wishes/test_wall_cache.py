"""The wall's cached pages and cards: per language, and keyed only by inputs that exist."""

import pytest
from django.core.cache import caches

from tests.factories import WishFactory
from wishes.models import Wish


@pytest.fixture
def local_cache(settings):
    """The in-process cache, whose keys can be listed (also when the run uses Redis)."""
    local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "wall-keys"}
    settings.CACHES = {"default": local, "ratelimit": local}
    caches["default"].clear()


def _page_keys():
    return [key for key in caches["default"]._cache if ":page:" in key]


def test_the_cards_follow_the_visitors_language(client, world):
    WishFactory(grid=world.grid_a, status=Wish.Status.PUBLISHED, category=Wish.Category.DAILY)
    chinese = client.get("/wishes/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "生活" in chinese
    english = client.get("/wishes/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Daily life" in english
    assert "生活" not in english


def test_made_up_query_strings_do_not_fill_the_page_cache(client, world, local_cache):
    WishFactory(grid=world.grid_a, status=Wish.Status.PUBLISHED)
    client.get("/wishes/")
    before = len(_page_keys())
    for n in range(30):
        assert client.get(f"/wishes/?utm={n}&street=9999{n}&category=nope{n}&page=abc").status_code == 200
        assert client.get(f"/wishes/new/?x={n}&street=8888{n}").status_code == 200
    assert len(_page_keys()) <= before + 1  # at most the form page itself


def test_known_parameters_with_valid_values_still_get_their_own_page(client, world):
    WishFactory(grid=world.grid_a, status=Wish.Status.PUBLISHED, category=Wish.Category.DAILY)
    WishFactory(
        grid=world.grid_b, status=Wish.Status.PUBLISHED, category=Wish.Category.STUDY, text="想学书法"
    )
    client.get("/wishes/")
    daily = client.get(f"/wishes/?community={world.community_a.pk}").content.decode()
    study = client.get(f"/wishes/?community={world.community_b.pk}").content.decode()
    assert daily != study
    assert "想学书法" in study and "想学书法" not in daily
