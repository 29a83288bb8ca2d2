import datetime

import pytest
from django.utils import timezone

from tests.factories import VolunteerFactory, WishFactory
from tests.utils import sign_in
from wishes.models import Claim, Wish


@pytest.mark.browser
def test_a_resident_submits_and_tracks_a_wish_from_a_phone(world, phone_page):
    page = phone_page
    page.goto(f"/wishes/new/?grid={world.grid_a.code}")
    page.shoot("wishes-form")
    page.fill("#id_name", "王秀英")
    page.fill("#id_phone", "137 0000 1111")
    page.click("text=助老")
    page.fill("#id_text", "老伴走了，希望每周有人上门陪我聊聊天")
    page.fill("#id_wanted_by", (timezone.localdate() + datetime.timedelta(days=20)).isoformat())
    page.click("text=提交心愿")
    page.wait_for_load_state("networkidle")
    page.shoot("wishes-submitted")

    code = page.locator("#tracking-code").inner_text().strip()
    wish = Wish.objects.get()
    assert code == wish.code and wish.grid == world.grid_a
    assert page.locator(".qr-box img").is_visible()

    page.goto("/wishes/track/")
    page.fill("#id_code", code.lower())
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#wish-status").inner_text() == "待审核"
    page.shoot("wishes-track")


@pytest.mark.browser
def test_a_volunteer_claims_from_the_wall_on_a_phone(world, phone_page):
    VolunteerFactory(user=world.volunteer, community=world.community_a, name="李志强")
    wish = WishFactory(
        grid=world.grid_a, status=Wish.Status.PUBLISHED, priority=1, public_text="希望有人帮忙更换楼道灯泡"
    )
    WishFactory(
        grid=world.grid_b, status=Wish.Status.PUBLISHED, public_text="想学习用手机视频通话", category="study"
    )
    page = phone_page
    sign_in(page, world.volunteer.username)
    page.goto("/wishes/")
    page.shoot("wishes-wall")
    page.click(f"a[href='/wishes/{wish.pk}/'].btn")
    page.wait_for_load_state("networkidle")
    page.shoot("wishes-detail")
    page.click("text=我来认领")
    page.wait_for_load_state("networkidle")
    assert "认领成功" in page.locator(".messages").inner_text()
    page.shoot("wishes-claimed")
    claim = Claim.objects.get()
    assert claim.wish == wish and claim.volunteer.user == world.volunteer

    page.fill("#id_note", "已经换好了两个灯泡")
    page.click("button:has-text('已完成')")
    page.wait_for_load_state("networkidle")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.FULFILLED
    page.goto("/me/")
    page.shoot("wishes-me")
    assert "等居民确认" in page.content()


@pytest.mark.browser
def test_a_mistyped_code_a_lost_code_and_a_refused_wish_keep_what_was_typed(
    world, phone_page, settings, caplog
):
    import logging
    import re

    from grids.models import Grid

    settings.WISH_SUBMITS_PER_PHONE = 1
    Grid.objects.filter(pk=world.community_a.pk).update(phone="0931-8123456")
    page = phone_page
    page.goto("/wishes/track/")
    page.fill("#id_code", "ABCD2345EFGX")
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "查询码不正确" in page.content() and page.input_value("#id_code") == "ABCD2345EFGX"
    page.shoot("wishes-track-wrong-code")

    def file(text):
        page.goto(f"/wishes/new/?grid={world.grid_a.code}")
        page.fill("#id_name", "王秀英")
        page.fill("#id_phone", "13700001111")
        page.click("text=生活")
        page.fill("#id_text", text)
        page.fill("#id_wanted_by", (timezone.localdate() + datetime.timedelta(days=20)).isoformat())
        page.click("button:has-text('提交心愿')")
        page.wait_for_load_state("networkidle")

    file("希望有人帮忙修一下单元门的门禁")
    file("楼下的路灯坏了好几天，晚上出门很黑")
    assert "这次没有提交成功" in page.content()
    assert page.input_value("#id_text") == "楼下的路灯坏了好几天，晚上出门很黑"
    assert page.locator("#refusal a[href='tel:0931-8123456']").is_visible()
    page.shoot("wishes-form-refused")

    page.goto("/wishes/track/recover/")
    page.fill("#id_phone", "13700001111")
    with caplog.at_level(logging.INFO, logger="inbox.sms"):
        page.click("form button[type=submit]")
        page.wait_for_load_state("networkidle")
    # The code went out at once (the logging SMS backend) and was wiped from the row: read the "SMS".
    (otp,) = re.findall(r"验证码 (\d{6})", caplog.text)
    page.shoot("wishes-recover-code")
    page.fill("#id_otp", otp)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert Wish.objects.get().code in page.content()
    page.shoot("wishes-recovered")
