"""The resident's pages: the form, the success page, tracking and confirming; the wall."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import WishFactory
from wishes import services
from wishes.models import Claim, Wish, WishFollower

NEW = "/wishes/new/"


def _form(world, **overrides):
    data = {
        "name": "王秀英",
        "phone": "137 0000 1111",
        "community": world.community_a.pk,
        "grid": "",
        "address": "",
        "category": "elderly",
        "text": "希望有人每周陪我去医院复查一次",
        "wanted_by": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
        "website": "",
    }
    data.update(overrides)
    return data


def test_the_form_preselects_the_grid_of_a_qr_code(client, world):
    response = client.get(NEW, {"grid": world.grid_a.code})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{world.community_a.pk}" selected>' in html
    assert f'value="{world.grid_a.code}"' in html
    assert world.grid_a.name in html


def test_a_bad_qr_code_asks_to_choose_the_community(client, world):
    response = client.get(NEW, {"grid": "NOPE-404"})
    assert response.status_code == 200
    assert "二维码中的网格编码无效" in response.content.decode()


def test_a_resident_submits_and_gets_a_code_link_and_qr(client, world):
    response = client.post(NEW, _form(world, grid=world.grid_a.code))
    assert response.status_code == 302
    assert response.url == reverse("wishes:submitted")
    wish = Wish.objects.get()
    assert wish.phone == "13700001111"
    assert wish.grid == world.grid_a
    page = client.get(response.url)
    html = page.content.decode()
    assert wish.code in html
    assert f"/wishes/track/{wish.code}/" in html
    assert 'src="data:image/png;base64,' in html


def test_a_grid_from_another_community_is_dropped(client, world):
    client.post(NEW, _form(world, grid=world.grid_b.code))
    assert Wish.objects.get().grid == world.community_a


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("phone", "1234567", "11位大陆手机号"),
        ("wanted_by", "2020-01-01", "晚于今天"),
        ("wanted_by", "明天", "有效的日期"),
        ("text", "帮忙", "至少写 5 个字（现在 2 个字）"),
        ("text", "好" * 301, "最多 300 个字（现在 301 个字）"),
        ("community", "999999", "请选择您所在的社区"),
        ("community", "abc", "请选择您所在的社区"),
        ("category", "party", "请选择心愿的类别"),
        ("name", "", "请填写您的姓名"),
        ("name", "王", "姓名至少 2 个字"),
        ("phone", "", "请填写手机号"),
    ],
)
def test_bad_input_gets_a_chinese_message_and_saves_nothing(client, world, field, value, message):
    response = client.post(NEW, _form(world, **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Wish.objects.exists()


def test_a_date_more_than_a_year_ahead_is_refused(client, world):
    far = (timezone.localdate() + datetime.timedelta(days=400)).isoformat()
    response = client.post(NEW, _form(world, wanted_by=far))
    assert "一年之内" in response.content.decode()


def test_markup_is_not_kept(client, world):
    client.post(
        NEW, _form(world, text="<script>alert(1)</script>希望有人<b>陪我</b>去医院复查", name="<i>王</i>秀英")
    )
    wish = Wish.objects.get()
    assert wish.text == "alert(1)希望有人陪我去医院复查"
    assert wish.name == "王秀英"


def test_the_honeypot_refuses_bots_and_saves_nothing(client, world):
    response = client.post(NEW, _form(world, website="http://spam.example"))
    assert response.status_code == 400
    assert "提交没有成功" in response.content.decode()
    assert not Wish.objects.exists()


def _shared(grid, text, **extra):
    return WishFactory(
        **{"grid": grid, "status": Wish.Status.PUBLISHED, "is_shared": True, "text": text, **extra}
    )


def test_shared_needs_of_the_grid_are_offered_and_filing_stays_the_default(client, world):
    existing = _shared(world.grid_a, "希望有志愿者每周陪老人去医院复查")
    response = client.post(NEW, _form(world, grid=world.grid_a.code))
    assert response.status_code == 200
    html = response.content.decode()
    assert "居民共同的需求" in html and existing.public_text in html
    # the first button files the resident's own wish; following is the explicit choice
    assert html.index('name="confirm_new"') < html.index('name="follow"')
    assert Wish.objects.count() == 1

    response = client.post(NEW, _form(world, grid=world.grid_a.code, confirm_new="on"))
    assert response.status_code == 302
    assert Wish.objects.count() == 2 and not WishFollower.objects.exists()


@pytest.mark.parametrize(
    "make",
    [
        # a personal wish of a neighbour, however similar
        lambda w: WishFactory(
            grid=w.grid_a, status=Wish.Status.PUBLISHED, text="希望有人每周陪我去医院复查一次"
        ),
        # a shared need of another grid
        lambda w: _shared(w.grid_b, "希望有人每周陪我去医院复查一次"),
        # a shared need no longer open: claimed in full, or not yet published
        lambda w: _shared(
            w.grid_a, "希望有人每周陪我去医院复查一次", status=Wish.Status.CLAIMED, claimed_count=1
        ),
        lambda w: WishFactory(grid=w.grid_a, is_shared=True, text="希望有人每周陪我去医院复查一次"),
        # a shared, open need of the same grid about something else
        lambda w: _shared(w.grid_a, "想学习使用智能手机"),
    ],
)
def test_only_open_shared_needs_of_the_same_grid_are_offered(client, world, make):
    make(world)
    response = client.post(NEW, _form(world, grid=world.grid_a.code))
    assert response.status_code == 302  # filed straight away: nothing to offer


def test_a_community_wide_shared_need_is_offered_to_its_grids(client, world):
    existing = _shared(world.community_a, "希望有人每周陪老人去医院复查")
    response = client.post(NEW, _form(world, grid=world.grid_a.code))
    assert existing.public_text in response.content.decode()


def test_following_a_shared_need_gives_a_code_that_tracks_it(client, world):
    existing = _shared(world.grid_a, "希望有人陪我去医院复查")
    response = client.post(NEW, _form(world, grid=world.grid_a.code, follow=str(existing.pk)))
    assert response.status_code == 302
    follower = WishFollower.objects.get()
    assert follower.wish == existing
    assert Wish.objects.count() == 1
    track = client.get(f"/wishes/track/{follower.code}/")
    assert track.status_code == 200
    html = track.content.decode()
    assert "您关注了这个心愿" in html
    assert existing.phone not in html and existing.name not in html


@pytest.mark.parametrize("shared", [True, False])
def test_following_a_wish_that_was_not_offered_files_nothing_and_keeps_the_text(client, world, shared):
    other = WishFactory(
        grid=world.grid_b, status=Wish.Status.PUBLISHED, is_shared=shared, text="希望有人陪我去医院复查"
    )
    response = client.post(NEW, _form(world, grid=world.grid_a.code, follow=str(other.pk)))
    assert response.status_code == 400
    html = response.content.decode()
    assert "不能关注" in html and "希望有人每周陪我去医院复查一次" in html
    assert not WishFollower.objects.exists() and Wish.objects.count() == 1


def test_the_success_page_without_a_submission_goes_back_to_the_form(client):
    assert client.get("/wishes/new/done/").url == NEW


# --- tracking --------------------------------------------------------------------------------


def test_the_track_page_shows_status_timeline_and_reason(client, world, submitted):
    services.wish_reject(wish=submitted, by=world.secretary_a, reason="请直接联系物业处理")
    response = client.get(f"/wishes/track/{submitted.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "未通过" in html and "请直接联系物业处理" in html
    assert "已提交" in html


def test_codes_are_read_forgivingly(client, submitted):
    spaced = " ".join(re.findall("....", submitted.code.lower()))
    response = client.get("/wishes/track/", {"code": spaced})
    assert response.url == f"/wishes/track/{submitted.code}/"


def test_a_short_code_gets_a_message(client):
    response = client.get("/wishes/track/", {"code": "AB"})
    assert response.status_code == 400
    assert "12 位" in response.content.decode()


def test_a_wrong_code_is_404(client, db):
    assert client.get("/wishes/track/ABCDEFGHJKLM/").status_code == 404


def test_guessing_codes_is_rate_limited(client, settings, submitted):
    settings.WISH_TRACK_MISSES_PER_HOUR = 3
    for n in range(3):
        assert client.get(f"/wishes/track/ZZZZZZZZZZZ{n + 2}/").status_code == 404
    response = client.get("/wishes/track/ZZZZZZZZZZZZ/")
    assert response.status_code == 429
    html = response.content.decode()
    assert "输错的次数太多" in html and 'value="ZZZZZZZZZZZZ"' in html
    # even the right code waits: the address is out of guesses
    assert client.get(f"/wishes/track/{submitted.code}/").status_code == 429


def test_the_resident_confirms_and_rates_once(client, people, published):
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    services.claim_fulfil(claim=claim, user=people.volunteer_user, note="已经陪同复查")
    page = client.get(f"/wishes/track/{published.code}/").content.decode()
    assert "确认已实现" in page
    assert "志愿者 李**" in page and "李志强" not in page
    url = f"/wishes/track/{published.code}/claims/{claim.pk}/confirm/"
    response = client.post(url, {f"c{claim.pk}-rating": "4", f"c{claim.pk}-comment": "很耐心"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.rating, claim.comment) == (Claim.Status.CONFIRMED, 4, "很耐心")
    again = client.post(url, {f"c{claim.pk}-rating": "1"}, follow=True)
    assert "已经确认过" in again.content.decode()
    claim.refresh_from_db()
    assert claim.rating == 4


def test_a_missing_rating_gets_a_message(client, people, published):
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    services.claim_fulfil(claim=claim, user=people.volunteer_user, note="完成")
    response = client.post(f"/wishes/track/{published.code}/claims/{claim.pk}/confirm/", {})
    assert response.status_code == 400
    assert "请选择 1 到 5 星" in response.content.decode()


def test_a_follower_cannot_confirm(client, people, published):
    Wish.objects.filter(pk=published.pk).update(is_shared=True)
    published.refresh_from_db()
    follower = services.wish_follow(wish=published, name="张大爷", phone="13912340000")
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    services.claim_fulfil(claim=claim, user=people.volunteer_user, note="完成")
    response = client.post(
        f"/wishes/track/{follower.code}/claims/{claim.pk}/confirm/", {f"c{claim.pk}-rating": "5"}
    )
    assert response.status_code == 404
    claim.refresh_from_db()
    assert claim.status == Claim.Status.FULFILLED


# --- the wall --------------------------------------------------------------------------------------


def test_the_wall_shows_no_personal_data(client, world):
    wish = WishFactory(
        grid=world.grid_a,
        status=Wish.Status.PUBLISHED,
        name="欧阳秀英",
        phone="13711112222",
        address="3-2-301",
        public_text="希望有人帮忙换灯泡",
    )
    html = client.get("/wishes/").content.decode()
    assert "希望有人帮忙换灯泡" in html
    assert "欧***" in html
    for secret in ("欧阳秀英", "13711112222", "3-2-301", wish.code, wish.text):
        assert secret not in html


def test_the_wall_lists_vulnerable_first_then_nearest_date(client, world):
    today = timezone.localdate()
    late = WishFactory(
        grid=world.grid_a, status=Wish.Status.PUBLISHED, wanted_by=today + datetime.timedelta(days=20)
    )
    soon = WishFactory(
        grid=world.grid_a, status=Wish.Status.PUBLISHED, wanted_by=today + datetime.timedelta(days=2)
    )
    vulnerable = WishFactory(
        grid=world.grid_a,
        status=Wish.Status.PUBLISHED,
        priority=1,
        wanted_by=today + datetime.timedelta(days=30),
    )
    WishFactory(grid=world.grid_a, status=Wish.Status.SUBMITTED)
    WishFactory(grid=world.grid_a, status=Wish.Status.CLAIMED)
    response = client.get("/wishes/")
    assert [w.pk for w in response.context["wishes"]] == [vulnerable.pk, soon.pk, late.pk]


def test_the_wall_filters_by_community_and_category(client, world):
    a = WishFactory(grid=world.grid_a, status=Wish.Status.PUBLISHED, category="study")
    b = WishFactory(grid=world.grid_b, status=Wish.Status.PUBLISHED, category="study")
    c = WishFactory(grid=world.grid_a, status=Wish.Status.PUBLISHED, category="health")
    pks = lambda r: {w.pk for w in r.context["wishes"]}  # noqa: E731
    assert pks(client.get("/wishes/", {"community": world.community_a.pk})) == {a.pk, c.pk}
    assert pks(client.get("/wishes/", {"category": "study"})) == {a.pk, b.pk}
    assert pks(client.get("/wishes/", {"category": "nonsense", "community": "x", "page": "-1"})) == {
        a.pk,
        b.pk,
        c.pk,
    }


def test_the_wall_is_paginated(client, world):
    WishFactory.create_batch(25, grid=world.grid_a, status=Wish.Status.PUBLISHED)
    first = client.get("/wishes/")
    second = client.get("/wishes/", {"page": 2})
    assert len(first.context["wishes"]) == 20 and first.context["has_next"]
    assert len(second.context["wishes"]) == 5 and not second.context["has_next"]
    assert client.get("/wishes/", {"page": 99}).status_code == 200


def test_the_wall_costs_a_constant_number_of_queries(
    client, login, world, people, django_assert_max_num_queries
):
    WishFactory.create_batch(30, grid=world.grid_a, status=Wish.Status.PUBLISHED)
    with django_assert_max_num_queries(4):  # streets, communities, QR codes (then cached); one page of wishes
        client.get("/wishes/")
    with django_assert_max_num_queries(1):
        client.get("/wishes/", {"page": 2, "street": world.street.pk, "community": world.community_a.pk})
    signed_in = login(people.volunteer_user)
    signed_in.get("/todo/")  # the top bar's counts, kept in the cache for a minute
    with django_assert_max_num_queries(8):  # + session, user, groups, three claimant kinds, my claims
        signed_in.get("/wishes/")
    with django_assert_max_num_queries(8):
        signed_in.get("/wishes/", {"page": 2})


def test_the_wall_filters_by_street(client, world):
    WishFactory(grid=world.grid_a, status=Wish.Status.PUBLISHED, public_text="兰苑的心愿")
    WishFactory(grid=world.grid_c, status=Wish.Status.PUBLISHED, public_text="民主的心愿")
    html = client.get("/wishes/", {"street": world.other_street.pk}).content.decode()
    assert "民主的心愿" in html and "兰苑的心愿" not in html
    # a community of another street is ignored rather than showing nothing
    html = client.get(
        "/wishes/", {"street": world.other_street.pk, "community": world.community_a.pk}
    ).content.decode()
    assert "民主的心愿" in html and "兰苑的心愿" not in html


def test_the_form_lists_the_communities_of_a_chosen_street(client, world):
    html = client.get(NEW).content.decode()
    assert world.street.name in html and world.community_a.name not in html
    html = client.get(NEW, {"street": world.street.pk}).content.decode()
    assert world.community_a.name in html and world.community_c.name not in html
    data = client.get(f"/wishes/places/{world.other_street.pk}/").json()
    assert data == {"communities": [[world.community_c.pk, world.community_c.name]]}
    assert client.get("/wishes/places/999999/").json() == {"communities": []}


def test_the_wish_page_is_public_only_once_published(client, world, submitted, published):
    assert client.get(f"/wishes/{submitted.pk}/").status_code == 404
    response = client.get(f"/wishes/{published.pk}/")
    assert response.status_code == 200
    assert published.phone not in response.content.decode()
    assert "登录后认领" in response.content.decode()


def test_the_track_page_follows_every_change_although_it_is_cached(
    client, people, published, django_capture_on_commit_callbacks
):
    published.slots = 3
    published.is_shared = True
    published.save()
    follower = services.wish_follow(wish=published, name="张大爷", phone="13912340000")
    with django_capture_on_commit_callbacks(execute=True):
        first = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
        services.wish_claim(wish=published, user=people.leader_user, claimant=people.team)
    url = f"/wishes/track/{follower.code}/"
    assert "已完成，待确认" not in client.get(url).content.decode()
    assert "已完成，待确认" not in client.get(url).content.decode()  # now from the cache
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_fulfil(claim=first, user=people.volunteer_user, note="第一次上门")
    published.refresh_from_db()
    assert published.status == Wish.Status.PARTLY_CLAIMED  # same status and count: only the version moved
    assert "已完成，待确认" in client.get(url).content.decode()
