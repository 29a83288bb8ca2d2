"""Unit liaisons browse the needs of their alliances and offer their unit; staff confirm or decline."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from alliances import selectors, services
from alliances.models import Need, NeedOffer, Project, ResourceKind
from inbox.board import todo_for
from inbox.models import Kind, Notification
from tests.factories import NeedFactory, ResourceFactory


@pytest.fixture
def needs(aw):
    """A need in community A and B (street S's alliance), and one in community C (street T)."""
    kw = {"kind": ResourceKind.VENUE, "wanted_by": datetime.date(2030, 4, 30)}
    return (
        NeedFactory(community=aw.world.community_a, title="老年食堂场地", **kw),
        NeedFactory(community=aw.world.community_b, title="儿童阅览室", **kw),
        NeedFactory(community=aw.world.community_c, title="另一街道的需求", **kw),
    )


def _offer(aw, need, **extra):
    return services.need_offer(need=need, unit=aw.unit_a, actor=aw.liaison_a, note="周末可用", **extra)


# --- scoping -----------------------------------------------------------------------------------------


def test_a_liaison_sees_the_needs_of_their_alliances_and_nothing_of_another(aw, needs, login):
    need_a, need_b, need_c = needs
    assert set(selectors.needs_visible_to(aw.liaison_a)) == {need_a, need_b}
    assert set(selectors.needs_visible_to(aw.liaison_c)) == {need_c}
    client = login(aw.liaison_a)
    page = client.get(reverse("alliances:need_list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "老年食堂场地" in text and "儿童阅览室" in text and "另一街道的需求" not in text
    assert client.get(reverse("alliances:need_detail", args=[need_b.pk])).status_code == 200
    assert client.get(reverse("alliances:need_detail", args=[need_c.pk])).status_code == 404
    response = client.post(reverse("alliances:need_offer", args=[need_c.pk]), {"unit": aw.unit_a.pk})
    assert response.status_code == 404
    assert not NeedOffer.objects.exists()


def test_a_unit_that_left_its_alliance_no_longer_sees_its_needs(aw, needs):
    aw.unit_b.memberships.update(left_on=datetime.date(2025, 1, 1))
    assert list(selectors.needs_visible_to(aw.liaison_b)) == []


def test_people_without_scope_or_unit_still_get_403(aw, needs, login):
    assert login(aw.world.volunteer).get(reverse("alliances:need_list")).status_code == 403


def test_a_liaison_sees_no_suggestions_of_other_units(aw, needs, login):
    ResourceFactory(unit=aw.unit_b, title="金港医院会议室")
    page = login(aw.liaison_a).get(reverse("alliances:need_detail", args=[needs[0].pk])).content.decode()
    assert "金港医院会议室" not in page and "推荐资源" not in page
    assert "以本单位认领这个需求" in page


# --- offering ----------------------------------------------------------------------------------------


def test_a_liaison_offers_their_unit_and_staff_are_told_and_owe_a_decision(aw, needs, login):
    need_a = needs[0]
    room = ResourceFactory(unit=aw.unit_a, title="多功能厅")
    response = login(aw.liaison_a).post(
        reverse("alliances:need_offer", args=[need_a.pk]),
        {"unit": aw.unit_a.pk, "resource": room.pk, "note": "周末可用"},
    )
    assert response.status_code == 302
    offer = NeedOffer.objects.get()
    assert (offer.unit, offer.resource, offer.status, offer.offered_by) == (
        aw.unit_a,
        room,
        NeedOffer.Status.PENDING,
        aw.liaison_a,
    )
    told = set(
        Notification.objects.filter(kind=Kind.NEED_OFFERED).values_list("recipient__username", flat=True)
    )
    assert told == {"street", "secretary_a"}
    sections = {s.key: s for s in todo_for(aw.world.secretary_a).sections}
    assert [i.url for i in sections["need_offers"].items] == [
        reverse("alliances:need_detail", args=[need_a.pk]) + f"#offer-{offer.pk}"
    ]
    assert "need_offers" not in {s.key for s in todo_for(aw.world.secretary_b).sections}
    need_a.refresh_from_db()
    assert need_a.status == Need.Status.OPEN  # staff still decide


def test_a_second_offer_of_the_same_unit_is_refused(aw, needs, login):
    _offer(aw, needs[0])
    with pytest.raises(ValidationError):
        _offer(aw, needs[0])
    # The page no longer offers the form; a forged post gets a message, not a second offer.
    client = login(aw.liaison_a)
    page = client.get(reverse("alliances:need_detail", args=[needs[0].pk])).content.decode()
    assert "以本单位认领这个需求" not in page and "待确认" in page
    response = client.post(reverse("alliances:need_offer", args=[needs[0].pk]), {"unit": aw.unit_a.pk})
    assert response.status_code == 302
    assert NeedOffer.objects.count() == 1


def test_two_units_may_offer_for_the_same_need(aw, needs):
    _offer(aw, needs[0])
    services.need_offer(need=needs[0], unit=aw.unit_b, actor=aw.liaison_b)
    assert NeedOffer.objects.filter(status="pending").count() == 2


@pytest.mark.parametrize(
    "tamper, message",
    [
        ("other_unit", "只能以本单位的名义认领需求"),
        ("other_resource", "只能选择本单位的有效资源"),
        ("withdrawn_resource", "只能选择本单位的有效资源"),
        ("missing_unit", "这个字段是必填项"),
        ("garbage_unit", "只能以本单位的名义认领需求"),
    ],
)
def test_tampered_ids_and_bad_input_are_refused_with_a_message(aw, needs, login, tamper, message):
    other = ResourceFactory(unit=aw.unit_b, title="别的单位的资源")
    withdrawn = ResourceFactory(unit=aw.unit_a, title="撤回的资源", is_active=False)
    data = {"unit": aw.unit_a.pk, "note": "x"}
    if tamper == "other_unit":
        data["unit"] = aw.unit_b.pk
    elif tamper == "other_resource":
        data["resource"] = other.pk
    elif tamper == "withdrawn_resource":
        data["resource"] = withdrawn.pk
    elif tamper == "missing_unit":
        del data["unit"]
    else:
        data["unit"] = "abc"
    response = login(aw.liaison_a).post(reverse("alliances:need_offer", args=[needs[0].pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not NeedOffer.objects.exists()


def test_a_too_long_note_is_refused(aw, needs, login):
    response = login(aw.liaison_a).post(
        reverse("alliances:need_offer", args=[needs[0].pk]), {"unit": aw.unit_a.pk, "note": "长" * 501}
    )
    assert response.status_code == 400
    assert not NeedOffer.objects.exists()


def test_a_liaison_may_not_offer_another_unit_through_the_service(aw, needs):
    with pytest.raises(PermissionDenied):
        services.need_offer(need=needs[0], unit=aw.unit_b, actor=aw.liaison_a)


def test_a_need_that_is_not_open_cannot_be_offered(aw, needs):
    services.need_close(need=needs[0], actor=aw.world.street_staff, reason="已解决")
    with pytest.raises(ValidationError):
        _offer(aw, needs[0])


# --- confirming and declining --------------------------------------------------------------------------


def test_staff_confirm_an_offer_into_a_project_led_by_the_unit(aw, needs, login):
    room = ResourceFactory(unit=aw.unit_a, title="多功能厅")
    offer = _offer(aw, needs[0], resource=room)
    other = services.need_offer(need=needs[0], unit=aw.unit_b, actor=aw.liaison_b)
    response = login(aw.world.secretary_a).post(
        reverse("alliances:offer_confirm", args=[offer.pk]),
        {"title": "幸福食堂", "start_on": "2030-03-15", "end_on": "2030-04-30", "budget": "800"},
    )
    project = Project.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "alliances:project_detail", args=[project.pk]
    )
    assert (project.lead_unit, project.resource, project.need, project.alliance, project.title) == (
        aw.unit_a,
        room,
        needs[0],
        aw.committee_a,  # the unit is on community A's committee: the project runs under it
        "幸福食堂",
    )
    offer.refresh_from_db()
    other.refresh_from_db()
    needs[0].refresh_from_db()
    assert (offer.status, offer.project, offer.decided_by) == ("confirmed", project, aw.world.secretary_a)
    assert other.status == "declined" and "其他单位" in other.decline_reason
    assert needs[0].status == Need.Status.MATCHED
    matched = Notification.objects.get(kind=Kind.PROJECT_MATCHED, recipient=aw.liaison_a)
    assert matched.params["v"] == "offer"
    assert Notification.objects.filter(kind=Kind.NEED_OFFER_DECLINED, recipient=aw.liaison_b).exists()
    sections = {s.key: s for s in todo_for(aw.liaison_a).sections}
    assert [i.url for i in sections["projects_to_start"].items] == [
        reverse("alliances:project_detail", args=[project.pk])
    ]
    assert "need_offers" not in {s.key for s in todo_for(aw.world.secretary_a).sections}


def test_staff_decline_with_a_reason_and_the_unit_is_told(aw, needs, login):
    offer = _offer(aw, needs[0])
    client = login(aw.world.street_staff)
    empty = client.post(reverse("alliances:offer_decline", args=[offer.pk]), {"reason": "  "})
    assert empty.status_code == 400
    offer.refresh_from_db()
    assert offer.status == "pending"
    response = client.post(reverse("alliances:offer_decline", args=[offer.pk]), {"reason": "场地太小"})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.status, offer.decline_reason) == ("declined", "场地太小")
    note = Notification.objects.get(kind=Kind.NEED_OFFER_DECLINED, recipient=aw.liaison_a)
    assert note.params["reason"] == "场地太小"
    assert not Project.objects.exists()
    # Declined, the unit may offer again (with a better proposal).
    assert _offer(aw, needs[0]).status == "pending"


def test_an_offer_is_decided_once(aw, needs):
    offer = _offer(aw, needs[0])
    services.need_offer_decline(offer=offer, actor=aw.world.street_staff, reason="不合适")
    with pytest.raises(ValidationError):
        services.need_offer_confirm(offer=offer, actor=aw.world.street_staff)
    with pytest.raises(ValidationError):
        services.need_offer_decline(offer=offer, actor=aw.world.street_staff, reason="再说一次")


def test_staff_matching_a_need_themselves_declines_the_waiting_offers(aw, needs):
    offer = _offer(aw, needs[0])
    services.project_create_from_match(
        need=needs[0], resource=ResourceFactory(unit=aw.unit_b), actor=aw.world.street_staff
    )
    offer.refresh_from_db()
    assert offer.status == "declined"


def test_closing_a_need_declines_the_waiting_offers(aw, needs):
    offer = _offer(aw, needs[0])
    services.need_close(need=needs[0], actor=aw.world.street_staff, reason="居民已自行解决")
    offer.refresh_from_db()
    assert offer.status == "declined" and "居民已自行解决" in offer.decline_reason


@pytest.mark.parametrize(
    "who, status", [("liaison_a", 403), ("liaison_b", 404), ("other_staff", 404), ("secretary_b", 404)]
)
def test_who_may_not_decide_an_offer(aw, needs, login, who, status):
    offer = _offer(aw, needs[0])
    client = login(getattr(aw, who, None) or getattr(aw.world, who))
    assert client.post(reverse("alliances:offer_confirm", args=[offer.pk]), {}).status_code == status
    assert (
        client.post(reverse("alliances:offer_decline", args=[offer.pk]), {"reason": "x"}).status_code
        == status
    )
    offer.refresh_from_db()
    assert offer.status == "pending" and not Project.objects.exists()


def test_a_tampered_offer_id_answers_404(aw, needs, login):
    client = login(aw.world.street_staff)
    assert client.post(reverse("alliances:offer_confirm", args=[999999]), {}).status_code == 404
    assert client.post("/alliances/offers/abc/confirm/", {}).status_code == 404


def test_bad_dates_on_confirm_are_refused_and_change_nothing(aw, needs, login):
    offer = _offer(aw, needs[0])
    response = login(aw.world.street_staff).post(
        reverse("alliances:offer_confirm", args=[offer.pk]),
        {"start_on": "2030-05-01", "end_on": "2030-04-01", "budget": "-3"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "结束日期不能早于开始日期" in text
    offer.refresh_from_db()
    assert offer.status == "pending" and not Project.objects.exists()


def test_the_staff_page_lists_offers_with_confirm_and_decline(aw, needs, login):
    _offer(aw, needs[0])
    page = (
        login(aw.world.street_staff)
        .get(reverse("alliances:need_detail", args=[needs[0].pk]))
        .content.decode()
    )
    assert "兰苑小学" in page and "确认并立项" in page and "不采纳" in page and "周末可用" in page


def test_the_admin_need_page_lists_its_offers(aw, needs, login):
    _offer(aw, needs[0])
    page = login(aw.world.street_staff).get(reverse("admin:alliances_need_change", args=[needs[0].pk]))
    assert page.status_code == 200
    assert "兰苑小学" in page.content.decode() and "周末可用" in page.content.decode()
