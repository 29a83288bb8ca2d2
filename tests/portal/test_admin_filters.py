"""The admin's list filters: scoped choices, and a tampered value shows nothing instead of failing."""

import pytest
from django.urls import reverse

from tests.factories import ChairTermFactory, WishFactory
from tests.utils import result_pks


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("admin:wishes_wish_changelist", "community"),
        ("admin:volunteers_volunteer_changelist", "in_community"),
        ("admin:alliances_need_changelist", "place"),
        ("admin:alliances_memberunit_changelist", "place"),
        ("admin:grids_household_changelist", "community"),
    ],
)
def test_a_tampered_community_filter_lists_nothing(login, world, url, parameter):
    WishFactory(grid=world.grid_a)
    response = login(world.street_staff).get(reverse(url), {parameter: "abc"})
    assert response.status_code == 200
    assert result_pks(response) == set()


def test_the_alliance_filter_offers_only_alliances_in_scope(login, world):
    ChairTermFactory(alliance__grid=world.street)
    ChairTermFactory(alliance__grid=world.other_street)
    html = login(world.street_staff).get(reverse("admin:alliances_chairterm_changelist")).content.decode()
    assert "刘家堡街道区域党建联盟" in html
    assert "西一路街道区域党建联盟" not in html


def test_the_review_page_lists_same_phone_wishes_only_in_scope(login, world):
    wish = WishFactory(grid=world.grid_a, phone="13700002222")
    mine = WishFactory(grid=world.grid_a, phone="13700002222")
    WishFactory(grid=world.grid_c, phone="13700002222")  # another street's
    page = login(world.secretary_a).get(reverse("wishes:review_detail", args=[wish.pk]))
    assert [w.pk for w in page.context["same_phone"]] == [mine.pk]
