"""The community office: review queue, publish and reject, counts, QR sheets."""

import datetime
import subprocess

import pytest
from django.utils import timezone

from grids.models import Household
from tests.factories import HouseholdFactory, WishFactory
from wishes import services
from wishes.models import Wish


def test_the_queue_lists_the_subtree_oldest_first_with_the_rainbow_category(login, world):
    HouseholdFactory(building=world.building_a, phone="13711110000", category=Household.Category.SOLITARY)
    now = timezone.now()
    newer = WishFactory(grid=world.grid_a, submitted_at=now)
    older = services.wish_submit(
        name="孙大妈",
        phone="13711110000",
        grid=world.grid_a,
        category="daily",
        text="希望有人帮忙买米",
        wanted_by=timezone.localdate() + datetime.timedelta(days=3),
    )
    Wish.objects.filter(pk=older.pk).update(submitted_at=now - datetime.timedelta(days=2))
    elsewhere = WishFactory(grid=world.grid_b)
    response = login(world.secretary_a).get("/wishes/review/")
    assert response.status_code == 200
    assert [w.pk for w in response.context["page"]] == [older.pk, newer.pk]
    html = response.content.decode()
    assert "孤寡" in html
    assert elsewhere.text not in html or elsewhere.pk not in [w.pk for w in response.context["page"]]
    street = login(world.street_staff).get("/wishes/review/")
    assert {w.pk for w in street.context["page"]} == {older.pk, newer.pk, elsewhere.pk}


@pytest.mark.parametrize("url", ["/wishes/review/", "/wishes/qr/"])
def test_staff_pages_refuse_other_roles(client, login, world, url):
    assert client.get(url).url.startswith("/accounts/login/")
    assert login(world.volunteer).get(url).status_code == 403
    assert login(world.gridworker_a).get(url).status_code == 403
    assert login(world.unscoped_staff).get(url).status_code == 403


def test_a_wish_outside_the_scope_is_404_on_every_review_page(login, world):
    wish = WishFactory(grid=world.grid_b)
    client = login(world.secretary_a)
    assert client.get(f"/wishes/review/{wish.pk}/").status_code == 404
    for action in ("publish", "reject", "close"):
        assert client.post(f"/wishes/review/{wish.pk}/{action}/", {}).status_code == 404
    wish.refresh_from_db()
    assert wish.status == Wish.Status.SUBMITTED


def test_lists_mask_phones_and_the_review_page_records_showing_one(login, world, submitted):
    from portal.models import PersonalDataLog

    client = login(world.secretary_a)
    queue = client.get("/wishes/review/").content.decode()
    assert "137****1111" in queue and "13700001111" not in queue
    page = client.get(f"/wishes/review/{submitted.pk}/").content.decode()
    assert "13700001111" in page
    log = PersonalDataLog.objects.get()
    assert (log.actor, log.subject_id, log.fields) == (world.secretary_a, str(submitted.pk), "phone")


def test_the_review_page_suggests_priority_from_the_household(login, world, submitted):
    HouseholdFactory(building=world.building_a, phone=submitted.phone, category=Household.Category.DISABLED)
    Wish.objects.filter(pk=submitted.pk).update(household_category="disabled")
    response = login(world.secretary_a).get(f"/wishes/review/{submitted.pk}/")
    assert response.context["publish_form"].initial["priority"] == 1
    assert "残疾" in response.content.decode()


def test_publishing_from_the_review_page(login, world, submitted):
    response = login(world.secretary_a).post(
        f"/wishes/review/{submitted.pk}/publish/",
        {"public_text": "希望有人帮忙修水龙头", "category": "daily", "slots": "2", "priority": "1"},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Wish.Status.PUBLISHED and submitted.slots == 2


@pytest.mark.parametrize(
    "data, message",
    [
        ({"public_text": "短", "category": "daily", "slots": "1", "priority": "0"}, "至少 5 个字"),
        (
            {"public_text": "希望有人帮忙修水龙头", "category": "daily", "slots": "0", "priority": "0"},
            "1 到 20",
        ),
        (
            {"public_text": "希望有人帮忙修水龙头", "category": "daily", "slots": "x", "priority": "0"},
            "1 到 20",
        ),
        (
            {"public_text": "希望有人帮忙修水龙头", "category": "daily", "slots": "1", "priority": "9"},
            "请选择优先级",
        ),
    ],
)
def test_bad_publish_input_changes_nothing(login, world, submitted, data, message):
    response = login(world.secretary_a).post(f"/wishes/review/{submitted.pk}/publish/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Wish.Status.SUBMITTED


def test_rejecting_needs_a_reason(login, world, submitted):
    client = login(world.secretary_a)
    response = client.post(f"/wishes/review/{submitted.pk}/reject/", {"reject-reason": ""})
    assert response.status_code == 400
    assert "请写明原因" in response.content.decode()
    client.post(f"/wishes/review/{submitted.pk}/reject/", {"reject-reason": "请联系物业"})
    submitted.refresh_from_db()
    assert submitted.status == Wish.Status.REJECTED


def test_reviewing_twice_says_it_was_done(login, world, submitted):
    services.wish_reject(wish=submitted, by=world.secretary_a, reason="重复提交")
    response = login(world.secretary_a).post(
        f"/wishes/review/{submitted.pk}/publish/",
        {"public_text": "希望有人帮忙修水龙头", "category": "daily", "slots": "1", "priority": "0"},
    )
    assert response.status_code == 400
    assert "已经审核过了" in response.content.decode()


def test_the_dashboard_shows_waiting_counts(login, world, submitted):
    html = login(world.secretary_a).get("/dashboard/").content.decode()
    assert 'id="wish-counts"' in html
    assert "待审核" in html
    assert login(world.secretary_b).get("/dashboard/").context["request"]  # renders for an empty scope too


def test_the_qr_sheet_lists_the_community_and_its_grids(login, world):
    response = login(world.secretary_a).get(f"/wishes/qr/{world.community_a.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"/wishes/new/?grid={world.grid_a.code}" in html
    assert f"/wishes/new/?grid={world.community_a.code}" in html
    assert "<svg" in html
    assert login(world.secretary_a).get(f"/wishes/qr/{world.community_b.code}/").status_code == 404
    assert login(world.secretary_a).get(f"/wishes/qr/{world.grid_a.code}/").status_code == 404


def test_the_qr_sheet_pdf_embeds_a_cjk_font(login, world, tmp_path):
    response = login(world.street_staff).get(f"/wishes/qr/{world.community_a.code}/sheet.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "sheet.pdf"
    path.write_bytes(response.content)
    try:
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    except FileNotFoundError:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    assert "CJK" in fonts
    embedded = [line for line in fonts.splitlines() if "CJK" in line]
    assert all(" yes " in line for line in embedded)
