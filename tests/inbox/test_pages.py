"""/todo/ and /notifications/ (contract URLs), the preferences, and the top bar's counts."""

import datetime
import re
from unittest import mock

import pytest

from inbox.models import Kind, Notification, Preference
from tests.factories import NotificationFactory, WishFactory


def _count(html, which):
    found = re.search(rf'id="nav-{which}"[^>]*>[^<]*(?:<span class="count"[^>]*>([^<]+)</span>)?', html)
    assert found, f"no {which} link in the top bar"
    return found.group(1)


@pytest.mark.parametrize("url", ["/todo/", "/notifications/", "/notifications/settings/"])
def test_pages_need_a_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_the_todo_page_lists_sections_with_links_and_the_bar_counts_them(login, world):
    wish = WishFactory(grid=world.grid_a, text="希望有人帮忙换灯泡")
    html = login(world.secretary_a).get("/todo/").content.decode()
    assert 'id="todo-wishes_review"' in html
    assert f'href="/wishes/review/{wish.pk}/"' in html and "希望有人帮忙换灯泡" in html
    assert _count(html, "todo") == "1"
    assert _count(html, "unread") is None


def test_an_empty_todo_says_so(login, world):
    html = login(world.volunteer).get("/todo/").content.decode()
    assert 'id="todo-empty"' in html and _count(html, "todo") is None


def test_the_inbox_lists_only_ones_own_notifications_and_counts_the_unread(login, world):
    mine = NotificationFactory(recipient=world.volunteer, params={"text": "修水龙头", "rating": 5})
    NotificationFactory(recipient=world.secretary_a, params={"text": "别人的消息", "rating": 3})
    NotificationFactory(
        recipient=None, phone="13700001111", kind=Kind.WISH_PUBLISHED, params={"code": "RESIDENTCODE"}
    )
    html = login(world.volunteer).get("/notifications/").content.decode()
    assert "修水龙头" in html and "别人的消息" not in html and "RESIDENTCODE" not in html
    assert f'href="/notifications/{mine.pk}/"' in html
    assert _count(html, "unread") == "1"


def test_opening_a_notification_marks_it_read_and_goes_where_it_points(login, world):
    notification = NotificationFactory(recipient=world.volunteer, link="/volunteers/")
    client = login(world.volunteer)
    response = client.get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302 and response.url == "/volunteers/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert _count(client.get("/notifications/").content.decode(), "unread") is None


def test_a_link_to_another_site_is_never_followed(login, world):
    notification = NotificationFactory(recipient=world.volunteer, link="https://evil.example/")
    response = login(world.volunteer).get(f"/notifications/{notification.pk}/")
    assert response.url == "/notifications/"


def test_someone_elses_notification_is_404_and_stays_unread(login, world):
    other = NotificationFactory(recipient=world.secretary_a)
    assert login(world.volunteer).get(f"/notifications/{other.pk}/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_all_read(login, world):
    NotificationFactory.create_batch(3, recipient=world.volunteer)
    other = NotificationFactory(recipient=world.secretary_a)
    client = login(world.volunteer)
    assert client.get("/notifications/read-all/").status_code == 405
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=world.volunteer, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_preferences_are_saved(login, world):
    client = login(world.volunteer)
    assert client.get("/notifications/settings/").status_code == 200
    response = client.post(
        "/notifications/settings/",
        {"email": "on", "digest": "on", "digest_hour": "19", "quiet_start": "22", "quiet_end": "7"},
    )
    assert response.status_code == 302
    saved = Preference.objects.get(user=world.volunteer)
    assert (saved.email, saved.sms, saved.digest, saved.digest_hour, saved.quiet_start, saved.quiet_end) == (
        True,
        False,
        True,
        19,
        22,
        7,
    )


@pytest.mark.parametrize("field", ["digest_hour", "quiet_start", "quiet_end"])
def test_a_bad_hour_is_refused_with_a_message_and_changes_nothing(login, world, field):
    data = {
        "email": "on",
        "sms": "on",
        "digest_hour": "8",
        "quiet_start": "21",
        "quiet_end": "8",
        field: "25",
    }
    response = login(world.volunteer).post("/notifications/settings/", data)
    assert response.status_code == 400
    assert "0 点到 23 点" in response.content.decode()
    assert not Preference.objects.exists()


def test_counts_are_cached_and_a_users_own_change_refreshes_them(login, world):
    WishFactory(grid=world.grid_a)
    client = login(world.secretary_a)
    assert _count(client.get("/notifications/").content.decode(), "todo") == "1"
    WishFactory(grid=world.grid_a)  # someone else's doing: shows within the cache time
    assert _count(client.get("/notifications/").content.decode(), "todo") == "1"
    client.post("/notifications/settings/", {"digest_hour": "8", "quiet_start": "21", "quiet_end": "8"})
    assert _count(client.get("/notifications/").content.decode(), "todo") == "2"


def test_a_notification_for_someone_refreshes_their_unread_count_at_once(
    login, world, people, published, django_capture_on_commit_callbacks
):
    from wishes import services

    client = login(world.gridworker_a)
    assert _count(client.get("/todo/").content.decode(), "unread") is None
    with django_capture_on_commit_callbacks(execute=True):
        services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    assert _count(client.get("/todo/").content.decode(), "unread") == "1"


def test_a_cache_that_does_not_answer_never_breaks_a_page(login, world):
    WishFactory(grid=world.grid_a)
    client = login(world.secretary_a)
    down = ConnectionError("cache down")
    with (
        mock.patch("inbox.counts.cache.get", side_effect=down),
        mock.patch("inbox.counts.cache.set", side_effect=down),
        mock.patch("inbox.counts.cache.delete_many", side_effect=down),
    ):
        response = client.get("/todo/")
        assert response.status_code == 200 and _count(response.content.decode(), "todo") == "1"
        assert client.post("/notifications/read-all/").status_code == 302


def test_the_top_bar_has_no_sign_out_and_me_has_it(login, world):
    client = login(world.secretary_a)
    html = client.get("/todo/").content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert "logout" not in header and "退出" not in header
    assert 'id="nav-todo"' in header and 'id="nav-unread"' in header
    me = client.get("/me/").content.decode()
    assert 'action="/accounts/logout/"' in me and "退出登录" in me


def test_the_todo_page_is_kept_a_minute_and_ones_own_change_refreshes_it(login, world):
    WishFactory(grid=world.grid_a, text="第一个心愿：希望有人修路灯")
    client = login(world.secretary_a)
    assert "第一个心愿" in client.get("/todo/").content.decode()
    WishFactory(grid=world.grid_a, text="第二个心愿：希望有人修门禁")
    assert "第二个心愿" not in client.get("/todo/").content.decode()  # from the cache
    client.post("/notifications/settings/", {"digest_hour": "8", "quiet_start": "21", "quiet_end": "8"})
    html = client.get("/todo/").content.decode()
    assert "第二个心愿" in html and _count(html, "todo") == "2"


def test_the_cached_todo_is_kept_per_language(login, world):
    WishFactory(grid=world.grid_a)
    client = login(world.secretary_a)
    assert "待审核的心愿" in client.get("/todo/").content.decode()
    english = client.get("/todo/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Wishes to review" in english and "待审核的心愿" not in english


def test_a_new_wish_shows_in_its_reviewers_kept_todo_at_once(
    login, world, django_capture_on_commit_callbacks
):
    from wishes import services

    client = login(world.secretary_a)
    assert 'id="todo-empty"' in client.get("/todo/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.wish_submit(
            name="王秀英",
            phone="13700001111",
            grid=world.grid_a,
            category="daily",
            text="希望有人帮忙修理楼道的灯",
            wanted_by=datetime.date.today() + datetime.timedelta(days=9),
        )
    assert "希望有人帮忙修理楼道的灯" in client.get("/todo/").content.decode()
