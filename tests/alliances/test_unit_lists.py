"""A liaison keeps their own unit's resource list; nobody else's."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from alliances import services
from alliances.models import Membership, Resource
from tests.factories import ResourceFactory

GOOD = {
    "kind": "venue",
    "title": "党员活动室",
    "quantity": "1",
    "quantity_unit": "间",
    "community": "",
    "available_from": "2026-03-01",
    "available_until": "2026-12-31",
    "description": "周末可用，<b>需提前预约</b>",
}


def test_a_liaison_adds_edits_and_withdraws_their_units_resource(aw, login):
    client = login(aw.liaison_a)
    response = client.post(reverse("alliances:resource_new", args=[aw.unit_a.pk]), GOOD)
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert (resource.unit, resource.title, resource.community) == (aw.unit_a, "党员活动室", None)
    assert resource.description == "周末可用，需提前预约"  # markup is dropped
    client.post(
        reverse("alliances:resource_edit", args=[resource.pk]),
        {**GOOD, "quantity": "2", "community": aw.world.community_a.pk},
    )
    resource.refresh_from_db()
    assert (resource.quantity, resource.community) == (2, aw.world.community_a)
    client.post(reverse("alliances:resource_toggle", args=[resource.pk]), {"active": "0"})
    resource.refresh_from_db()
    assert not resource.is_active


@pytest.mark.parametrize(
    "change, message",
    [
        ({"available_until": "2026-01-01"}, "截止日期不能早于起始日期"),
        ({"quantity": "-3"}, ""),
        ({"kind": "gold"}, ""),
        ({"community": "999999"}, "请选择本街道的社区"),
    ],
)
def test_bad_input_gets_a_message_and_saves_nothing(aw, login, change, message):
    response = login(aw.liaison_a).post(
        reverse("alliances:resource_new", args=[aw.unit_a.pk]), {**GOOD, **change}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Resource.objects.exists()


def test_a_community_of_another_street_is_refused(aw, login):
    response = login(aw.liaison_a).post(
        reverse("alliances:resource_new", args=[aw.unit_a.pk]), {**GOOD, "community": aw.world.community_c.pk}
    )
    assert response.status_code == 400 and not Resource.objects.exists()


def test_a_duplicate_title_is_explained(aw, login):
    ResourceFactory(unit=aw.unit_a, title="党员活动室")
    response = login(aw.liaison_a).post(reverse("alliances:resource_new", args=[aw.unit_a.pk]), GOOD)
    assert response.status_code == 400
    assert Resource.objects.count() == 1


def test_a_liaison_cannot_touch_another_units_list(aw, login):
    theirs = ResourceFactory(unit=aw.unit_b, title="门诊大厅")
    client = login(aw.liaison_a)
    assert client.get(reverse("alliances:unit_detail", args=[aw.unit_b.pk])).status_code == 404
    assert client.post(reverse("alliances:resource_new", args=[aw.unit_b.pk]), GOOD).status_code == 404
    assert client.post(reverse("alliances:resource_edit", args=[theirs.pk]), GOOD).status_code == 404
    assert (
        client.post(reverse("alliances:resource_toggle", args=[theirs.pk]), {"active": "0"}).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.title == "门诊大厅" and theirs.is_active
    assert Resource.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.resource_save(actor=aw.liaison_a, unit=aw.unit_b, resource=theirs, title="改名")


def test_staff_edit_units_in_their_subtree_only(aw, login):
    assert (
        login(aw.world.secretary_a).get(reverse("alliances:resource_new", args=[aw.unit_a.pk])).status_code
        == 200
    )
    assert (
        login(aw.world.secretary_b).get(reverse("alliances:resource_new", args=[aw.unit_a.pk])).status_code
        == 404
    )
    assert login(aw.other_staff).get(reverse("alliances:unit_detail", args=[aw.unit_a.pk])).status_code == 404


def test_a_liaison_signs_the_covenant_once_for_their_unit(aw, login):
    client = login(aw.liaison_a)
    url = reverse("alliances:covenant_sign", args=[aw.street_alliance.pk])
    client.post(url, {"unit": aw.unit_a.pk})
    membership = Membership.objects.get(alliance=aw.street_alliance, unit=aw.unit_a)
    assert membership.covenant_signed_on == datetime.date.today()
    response = client.post(url, {"unit": aw.unit_a.pk}, follow=True)
    assert "已于" in response.content.decode()
    # Signing for another unit is refused and changes nothing.
    client.post(url, {"unit": aw.unit_b.pk})
    assert Membership.objects.get(alliance=aw.street_alliance, unit=aw.unit_b).covenant_signed_on is None


def test_the_liaison_finds_their_unit_from_the_menu_and_me(aw, login):
    client = login(aw.liaison_a)
    response = client.get(reverse("alliances:my_unit"))
    assert response.status_code == 302 and response.url == reverse(
        "alliances:unit_detail", args=[aw.unit_a.pk]
    )
    me = client.get(reverse("dashboard:me")).content.decode()
    assert "我联络的单位" in me and "兰苑小学" in me
    assert login(aw.world.volunteer).get(reverse("alliances:my_unit")).status_code == 404


def test_a_garbled_toggle_changes_nothing(aw, login):
    resource = ResourceFactory(unit=aw.unit_a, title="操场")
    response = login(aw.liaison_a).post(
        reverse("alliances:resource_toggle", args=[resource.pk]), {"active": "maybe"}, follow=True
    )
    assert "资源没有变化" in response.content.decode()
    resource.refresh_from_db()
    assert resource.is_active
