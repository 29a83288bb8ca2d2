"""In a real browser: a liaison offers the unit for a need from a phone; staff confirm it on a desktop."""

import datetime

import pytest

from alliances.models import NeedOffer, Project
from tests.factories import NeedFactory, ResourceFactory
from tests.utils import sign_in


@pytest.mark.browser
def test_a_liaison_offers_the_unit_and_staff_confirm_it(aw, phone_page):
    need = NeedFactory(
        community=aw.world.community_a,
        title="老年食堂场地",
        kind="venue",
        wanted_by=datetime.date(2030, 5, 1),
    )
    ResourceFactory(unit=aw.unit_a, title="多功能厅", kind="venue")
    page = phone_page
    sign_in(page, "liaison_a")
    page.goto("/alliances/")
    page.click("text=需求清单：认领需求")
    page.shoot("alliances-offer-phone-needs")
    page.click("text=老年食堂场地")
    page.select_option("#id_resource", label="兰苑小学 · 多功能厅")
    page.fill("#id_note", "周末两天可用，可容纳 40 人。")
    page.shoot("alliances-offer-phone-form")
    page.click("text=提交认领")
    page.wait_for_load_state("networkidle")
    assert page.locator(".messages").inner_text().startswith("已认领")
    page.shoot("alliances-offer-phone-offered")
    offer = NeedOffer.objects.get()
    assert offer.status == "pending"

    desk = page
    desk.context.clear_cookies()
    desk.set_viewport_size({"width": 1280, "height": 800})
    sign_in(desk, "secretary_a")
    desk.goto("/todo/")
    desk.click(f"a[href$='#offer-{offer.pk}']")
    desk.shoot("alliances-offer-desktop-decide")
    desk.click("text=确认并立项")
    desk.click(f"#offer-{offer.pk} button:has-text('立项，由兰苑小学牵头')")
    desk.wait_for_load_state("networkidle")
    assert "已确认兰苑小学的认领" in desk.locator(".messages").inner_text()
    project = Project.objects.get()
    assert (project.lead_unit, project.need) == (aw.unit_a, need)
    desk.shoot("alliances-offer-desktop-confirmed")
