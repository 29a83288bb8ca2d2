import pytest

from care import services
from grids.models import Household, Visit
from tests.factories import BuildingFactory, HouseholdFactory
from tests.utils import sign_in


@pytest.mark.browser
def test_a_partner_logs_a_contact_in_one_tap_on_a_phone(care, phone_page):
    services.pairing_create(
        actor=care.secretary_a, household=care.solitary, partner_kind="party_member", volunteer=care.member
    )
    sign_in(phone_page, "volunteer")
    phone_page.goto("/care/")
    assert "该联系了" in phone_page.locator(".pairing").inner_text()
    phone_page.shoot("care-partner")
    phone_page.click("text=打过电话")
    phone_page.wait_for_load_state("networkidle")
    assert phone_page.locator(".messages").inner_text().startswith("已记录")
    assert "该联系了" not in phone_page.locator(".pairing").inner_text()
    visit = Visit.objects.get()
    assert (visit.visitor, visit.method, visit.household) == (care.volunteer, "phone", care.solitary)


@pytest.mark.browser
def test_the_people_map_fits_a_phone_and_a_wide_building_scrolls_in_its_block(care, phone_page):
    wide = BuildingFactory(grid=care.grid_a, name="2号楼", units=4, floors=3)
    for unit in "1234":
        for room in ("101", "102", "103", "301"):
            HouseholdFactory(building=wide, unit=unit, room=room, category=Household.Category.EMPTY_NEST)
    sign_in(phone_page, "gridworker_a")
    phone_page.goto("/care/map/")
    assert phone_page.url.endswith(f"/care/map/{care.grid_a.code}/")
    phone_page.shoot("care-people-map")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    block = phone_page.locator(f"#b-{wide.pk} .building-scroll")
    assert block.evaluate("el => el.scrollWidth > el.clientWidth")
    phone_page.click(f"#b-{wide.pk} a.cell >> nth=0")
    phone_page.wait_for_load_state("networkidle")
    assert "/grids/households/" in phone_page.url
