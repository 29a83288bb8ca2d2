"""The hand-off between resident, community and claimant: contacts, "有问题", lost codes, limits, matching."""

import datetime
import re

import pytest
from django.utils import timezone

from grids.models import Grid, Household
from inbox.models import Kind, Notification
from portal.models import PersonalDataLog
from tests.factories import BuildingFactory, GridAssignmentFactory, GridNodeFactory, HouseholdFactory
from wishes import services
from wishes.models import Claim, Wish, WishEvent

NEW = "/wishes/new/"


def _form(world, **overrides):
    data = {
        "name": "王秀英",
        "phone": "13700001111",
        "community": world.community_a.pk,
        "grid": world.grid_a.code,
        "address": "",
        "category": "daily",
        "text": "希望有人帮我把阳台的晾衣架修一修",
        "wanted_by": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
        "website": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def on_duty(world):
    world.gridworker_a.full_name = "周网格"
    world.gridworker_a.phone = "13811112222"
    world.gridworker_a.save()
    GridAssignmentFactory(person=world.gridworker_a, grid=world.grid_a)
    Grid.objects.filter(pk=world.community_a.pk).update(phone="0931-8123456")
    return world.gridworker_a


def _claimed(people, wish):
    return services.wish_claim(wish=wish, user=people.volunteer_user, claimant=people.volunteer)


# --- whom the claimant calls ----------------------------------------------------------------------


def test_the_claimant_sees_the_grid_worker_and_community_phone_but_not_the_resident(
    login, people, published, on_duty
):
    claim = _claimed(people, published)
    html = login(people.volunteer_user).get(f"/wishes/claims/{claim.pk}/").content.decode()
    assert "周网格" in html and 'href="tel:13811112222"' in html and 'href="tel:0931-8123456"' in html
    assert published.phone not in html and "显示居民电话" not in html
    assert "联系方式请通过社区获取" not in html
    response = login(people.volunteer_user).post(f"/wishes/claims/{claim.pk}/resident-phone/")
    assert response.status_code == 403
    assert not PersonalDataLog.objects.exists()


def test_without_grid_staff_the_secretary_is_the_contact(login, world, people, published):
    world.secretary_a.phone = "13822223333"
    world.secretary_a.save()
    claim = _claimed(people, published)
    html = login(people.volunteer_user).get(f"/wishes/claims/{claim.pk}/").content.decode()
    assert 'href="tel:13822223333"' in html and "社区书记" in html


def test_with_consent_the_phone_is_revealed_on_a_tap_and_recorded(login, people, published, on_duty):
    Wish.objects.filter(pk=published.pk).update(contact_consent=True)
    claim = _claimed(people, published)
    client = login(people.volunteer_user)
    page = client.get(f"/wishes/claims/{claim.pk}/").content.decode()
    assert "显示居民电话" in page and published.phone not in page
    assert not PersonalDataLog.objects.exists()
    revealed = client.post(f"/wishes/claims/{claim.pk}/resident-phone/").content.decode()
    assert f'href="tel:{published.phone}"' in revealed
    log = PersonalDataLog.objects.get()
    assert (log.actor, log.subject_id, log.fields, log.grid) == (
        people.volunteer_user,
        str(published.pk),
        "phone",
        published.grid,
    )
    assert "认领人" in log.detail


def test_only_the_claimant_of_a_live_claim_may_reveal(login, world, people, published, on_duty):
    Wish.objects.filter(pk=published.pk).update(contact_consent=True)
    claim = _claimed(people, published)
    assert login(people.leader_user).post(f"/wishes/claims/{claim.pk}/resident-phone/").status_code == 404
    services.claim_withdraw(claim=claim, user=people.volunteer_user)
    assert login(people.volunteer_user).post(f"/wishes/claims/{claim.pk}/resident-phone/").status_code == 403
    assert not PersonalDataLog.objects.exists()


# --- "还没实现 / 有问题" -----------------------------------------------------------------------------


def _not_done(client, wish, claim, reason):
    return client.post(
        f"/wishes/track/{wish.code}/claims/{claim.pk}/not-done/", {f"n{claim.pk}-reason": reason}
    )


def test_the_resident_sends_a_fulfilled_claim_back_with_the_reason(
    client, login, world, people, published, django_capture_on_commit_callbacks
):
    claim = _claimed(people, published)
    services.claim_fulfil(claim=claim, user=people.volunteer_user, note="修好了")
    page = client.get(f"/wishes/track/{published.code}/").content.decode()
    assert "还没实现 / 有问题" in page
    with django_capture_on_commit_callbacks(execute=True):  # the cached tracking page moves on
        response = _not_done(client, published, claim, "还是漏水")
    assert response.status_code == 302
    claim.refresh_from_db()
    published.refresh_from_db()
    assert claim.status == Claim.Status.CLAIMED and claim.return_reason == "还是漏水"
    assert published.status == Wish.Status.CLAIMED and published.issue_note == "还是漏水"
    page = client.get(f"/wishes/track/{published.code}/").content.decode()
    assert "居民反馈：还没实现" in page and "社区会尽快跟进" in page
    # the claimant's page says why, and the secretary's review page asks for a follow-up
    assert "还是漏水" in login(people.volunteer_user).get(f"/wishes/claims/{claim.pk}/").content.decode()
    review = login(world.secretary_a).get(f"/wishes/review/{published.pk}/").content.decode()
    assert 'id="issue"' in review and "还是漏水" in review


def test_a_claimed_wish_can_be_reported_too_before_anyone_came(client, people, published):
    claim = _claimed(people, published)
    assert _not_done(client, published, claim, "约好的时间没有人来").status_code == 302
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.CLAIMED
    assert Notification.objects.filter(kind=Kind.WISH_NOT_DONE, recipient=people.volunteer_user).exists()


def test_an_empty_reason_is_refused_with_a_message_and_changes_nothing(client, people, published):
    claim = _claimed(people, published)
    services.claim_fulfil(claim=claim, user=people.volunteer_user, note="修好了")
    response = _not_done(client, published, claim, "")
    assert response.status_code == 400
    assert "请简单写一下还差什么" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.FULFILLED


def test_a_confirmed_claim_cannot_be_sent_back_and_the_typed_reason_stays(client, people, published):
    claim = _claimed(people, published)
    services.claim_fulfil(claim=claim, user=people.volunteer_user, note="修好了")
    services.wish_confirm(wish=published, claim=claim, rating=5)
    response = _not_done(client, published, claim, "其实还有点问题")
    assert response.status_code == 400
    assert "不能再反馈" in response.content.decode() and "其实还有点问题" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.CONFIRMED


def test_a_follower_cannot_send_a_claim_back(client, people, published):
    Wish.objects.filter(pk=published.pk).update(is_shared=True)
    published.refresh_from_db()
    follower = services.wish_follow(wish=published, name="张大爷", phone="13912340000")
    claim = _claimed(people, published)
    response = client.post(
        f"/wishes/track/{follower.code}/claims/{claim.pk}/not-done/", {f"n{claim.pk}-reason": "不行"}
    )
    assert response.status_code == 404


def test_staff_record_their_follow_up_and_the_resident_reads_it(client, login, world, people, published):
    claim = _claimed(people, published)
    services.wish_report_not_done(wish=published, claim=claim, reason="没人联系我")
    response = login(world.secretary_a).post(f"/wishes/review/{published.pk}/settle/", {"settle-reason": ""})
    assert response.status_code == 400
    response = login(world.secretary_a).post(
        f"/wishes/review/{published.pk}/settle/", {"settle-reason": "已联系志愿者，周六上门"}
    )
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.issue_reported_at is None
    assert (
        "社区已跟进居民反馈：已联系志愿者，周六上门"
        in client.get(f"/wishes/track/{published.code}/").content.decode()
    )
    assert (
        login(world.secretary_b)
        .post(f"/wishes/review/{published.pk}/settle/", {"settle-reason": "x"})
        .status_code
        == 404
    )


# --- a mistyped or lost code ---------------------------------------------------------------------------


def test_a_mistyped_code_keeps_the_box_and_says_so(client, submitted):
    wrong = submitted.code[:-1] + ("A" if submitted.code[-1] != "A" else "B")
    response = client.get(f"/wishes/track/{wrong}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "查询码不正确" in html and f'value="{wrong}"' in html and "找不到这个页面" not in html
    response = client.get("/wishes/track/", {"code": wrong.lower()})
    assert (
        "查询码不正确" in response.content.decode()
        and f'value="{wrong.lower()}"' in response.content.decode()
    )
    assert client.get("/wishes/track/", {"code": submitted.code}).url == f"/wishes/track/{submitted.code}/"


def _otp(phone):
    notification = Notification.objects.filter(kind=Kind.TRACKING_CODE, phone=phone).latest("created_at")
    return notification.params["otp"]


def test_a_lost_code_is_found_with_the_phone_and_a_one_time_code(client, world, submitted):
    response = client.post("/wishes/track/recover/", {"phone": "137-0000-1111"})
    assert response.url == "/wishes/track/recover/code/"
    page = client.get(response.url).content.decode()
    assert "137****1111" in page
    wrong = client.post(
        "/wishes/track/recover/code/", {"otp": "000000" if _otp("13700001111") != "000000" else "111111"}
    )
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    found = client.post("/wishes/track/recover/code/", {"otp": _otp("13700001111")})
    html = found.content.decode()
    assert found.status_code == 200 and submitted.code in html
    # used once
    assert client.post("/wishes/track/recover/code/", {"otp": _otp("13700001111")}).status_code == 302


def test_an_unknown_phone_gets_the_same_answer_and_no_sms(client, db):
    response = client.post("/wishes/track/recover/", {"phone": "13999990000"}, follow=True)
    assert "如果这个手机号提交或关注过心愿" in response.content.decode()
    assert not Notification.objects.exists()
    wrong = client.post("/wishes/track/recover/code/", {"otp": "123456"})
    assert "验证码不正确" in wrong.content.decode()


def test_guessing_a_one_time_code_stops_after_five_tries(client, submitted):
    client.post("/wishes/track/recover/", {"phone": "13700001111"})
    right = _otp("13700001111")
    bad = "000000" if right != "000000" else "111111"
    for _ in range(5):
        client.post("/wishes/track/recover/code/", {"otp": bad})
    response = client.post("/wishes/track/recover/code/", {"otp": right})
    assert "尝试次数太多" in response.content.decode()


def test_one_phone_asks_for_a_few_codes_an_hour_known_or_not(client, settings, db):
    settings.WISH_RECOVERY_PER_PHONE = 2
    for _ in range(2):
        assert client.post("/wishes/track/recover/", {"phone": "13999990000"}).status_code == 302
    response = client.post("/wishes/track/recover/", {"phone": "13999990000"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "一小时后再试" in html and 'value="13999990000"' in html


def test_a_bad_phone_gets_a_message(client, db):
    response = client.post("/wishes/track/recover/", {"phone": "12345"})
    assert response.status_code == 400 and "手机号" in response.content.decode()


# --- limits that fit shared addresses ------------------------------------------------------------------


def test_one_phone_saves_a_few_wishes_a_day_and_the_refused_text_stays_with_the_communitys_phone(
    client, world, on_duty, settings
):
    settings.WISH_SUBMITS_PER_PHONE = 2
    for n in range(2):
        assert client.post(NEW, _form(world, text=f"第{n}个心愿：想学写毛笔字")).status_code == 302
    refused = client.post(NEW, _form(world, text="第三个心愿：想学剪纸手工"))
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "第三个心愿：想学剪纸手工" in html and "24 小时内" in html and 'href="tel:0931-8123456"' in html
    assert Wish.objects.count() == 2
    # a neighbour on the same address (a post station's Wi-Fi) is not turned away
    assert client.post(NEW, _form(world, phone="13700002222", text="邻居的心愿：想学剪纸")).status_code == 302


def test_the_address_ceiling_is_well_above_one_household(client, world, settings):
    assert settings.WISH_SUBMITS_PER_HOUR >= 10 * settings.WISH_SUBMITS_PER_PHONE
    settings.WISH_SUBMITS_PER_HOUR = 2
    for n in range(2):
        client.post(NEW, _form(world, phone=f"1370000200{n}", text=f"第{n}个心愿：想学写毛笔字"))
    refused = client.post(NEW, _form(world, phone="13700003000", text="再来一个心愿：想学剪纸"))
    assert refused.status_code == 429 and "再来一个心愿：想学剪纸" in refused.content.decode()


def test_staff_filing_for_residents_are_not_limited(login, world, settings):
    settings.WISH_SUBMITS_PER_PHONE = 1
    client = login(world.gridworker_a)
    for n in range(3):
        assert client.post(NEW, _form(world, text=f"代居民提交的第{n}个心愿")).status_code == 302


# --- the household behind a wish ---------------------------------------------------------------------


@pytest.fixture
def twin_flats(world):
    """3号楼 2单元 301 in two grids of community A, a poor household in grid A2 and a plain one in A."""
    grid_a2 = GridNodeFactory(parent=world.community_a, name="兰苑第2网格")
    in_a = HouseholdFactory(
        building=BuildingFactory(grid=world.grid_a, name="3号楼"), unit="2", room="301", phone=""
    )
    in_a2 = HouseholdFactory(
        building=BuildingFactory(grid=grid_a2, name="3号楼"),
        unit="2",
        room="301",
        phone="",
        category=Household.Category.POOR,
    )
    return in_a, in_a2, grid_a2


def test_the_scanned_grid_decides_between_twin_addresses(world, twin_flats):
    in_a, in_a2, grid_a2 = twin_flats
    make = lambda grid: services.wish_submit(  # noqa: E731
        name="王秀英",
        phone="13700009999",
        grid=grid,
        category="daily",
        text="希望有人帮忙修门锁",
        address="3-2-301",
        wanted_by=timezone.localdate() + datetime.timedelta(days=9),
        limit_phone=False,
    )
    assert make(world.grid_a).household == in_a
    assert make(grid_a2).household == in_a2
    # without a scanned grid, twins are not guessed: staff choose
    assert make(world.community_a).household is None


def test_the_review_page_shows_grid_and_address_of_each_candidate_and_staff_choose(login, world, twin_flats):
    in_a, in_a2, grid_a2 = twin_flats
    wish = services.wish_submit(
        name="王秀英",
        phone="13700009999",
        grid=world.grid_a,
        category="daily",
        text="希望有人帮忙修门锁",
        address="3-2-301",
        wanted_by=timezone.localdate() + datetime.timedelta(days=9),
    )
    client = login(world.secretary_a)
    html = client.get(f"/wishes/review/{wish.pk}/").content.decode()
    matches = html[html.index('id="matches"') :]
    assert matches.index(world.grid_a.name) < matches.index(grid_a2.name)
    assert "扫码所在网格" in html and "本社区其他网格" in html
    # the plain household in the scanned grid suggests no priority
    assert re.search(r'<option value="0" selected>', html)
    response = client.post(
        f"/wishes/review/{wish.pk}/publish/",
        {
            "public_text": "希望有人帮忙修门锁",
            "category": "daily",
            "slots": "1",
            "priority": "1",
            "household": str(in_a2.pk),
        },
    )
    assert response.status_code == 302
    wish.refresh_from_db()
    assert wish.household == in_a2 and wish.household_category == Household.Category.POOR
    assert WishEvent.objects.filter(wish=wish, kind=WishEvent.Kind.PUBLISHED).exists()


def test_a_household_that_was_not_offered_is_refused(login, world, twin_flats, submitted):
    other = HouseholdFactory(building=world.building_b, room="909")
    response = login(world.secretary_a).post(
        f"/wishes/review/{submitted.pk}/publish/",
        {
            "public_text": "希望有人帮忙修水龙头",
            "category": "daily",
            "slots": "1",
            "priority": "0",
            "household": str(other.pk),
        },
    )
    assert response.status_code == 400
    submitted.refresh_from_db()
    assert submitted.status == Wish.Status.SUBMITTED
