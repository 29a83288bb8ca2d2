"""Claiming from the wall, fulfilling with a photo, withdrawing, and who may see a photo."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import WishFactory
from tests.wishes.conftest import image_bytes
from wishes import services
from wishes.models import Claim, Wish


def _claim_url(wish):
    return f"/wishes/{wish.pk}/claim/"


def test_claiming_needs_a_login(client, published):
    response = client.post(_claim_url(published))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert not Claim.objects.exists()


def test_claiming_needs_a_post(login, people, published):
    assert login(people.volunteer_user).get(_claim_url(published)).status_code == 405


def test_a_user_who_is_no_claimant_gets_a_clear_403(login, world, published):
    response = login(world.secretary_a).post(_claim_url(published))
    assert response.status_code == 403
    assert "志愿者身份" in response.content.decode()
    assert not Claim.objects.exists()


def test_a_volunteer_claims_from_the_wish_page(login, people, published):
    client = login(people.volunteer_user)
    key = f"volunteer-{people.volunteer.pk}"
    assert key in client.get(f"/wishes/{published.pk}/").content.decode()
    response = client.post(_claim_url(published), {"claimant": key})
    claim = Claim.objects.get()
    assert response.url == f"/wishes/claims/{claim.pk}/"
    assert claim.volunteer == people.volunteer and claim.claimed_by == people.volunteer_user


def test_a_team_leader_chooses_to_claim_for_the_team(login, people, published):
    client = login(people.leader_user)
    page = client.get(f"/wishes/{published.pk}/").content.decode()
    assert "服务队：兰苑助老服务队" in page and "我自己" in page
    client.post(_claim_url(published), {"claimant": f"team-{people.team.pk}"})
    assert Claim.objects.get().team == people.team


def test_a_tampered_claimant_is_refused(login, people, published):
    client = login(people.volunteer_user)
    response = client.post(_claim_url(published), {"claimant": f"unit-{people.unit.pk}"}, follow=True)
    assert "请选择以谁的名义认领" in response.content.decode()
    assert not Claim.objects.exists()


def test_a_full_wish_says_so(login, people, published):
    services.wish_claim(wish=published, user=people.leader_user, claimant=people.team)
    response = login(people.volunteer_user).post(
        _claim_url(published), {"claimant": f"volunteer-{people.volunteer.pk}"}, follow=True
    )
    assert "认领满了" in response.content.decode()
    assert Claim.objects.count() == 1


def test_an_unpublished_wish_cannot_be_claimed_by_url(login, people, submitted):
    response = login(people.volunteer_user).post(
        _claim_url(submitted), {"claimant": f"volunteer-{people.volunteer.pk}"}
    )
    assert response.status_code == 404


def test_my_claims_show_on_me_with_what_to_do(login, people, published):
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    html = login(people.volunteer_user).get("/me/").content.decode()
    assert "我的心愿认领" in html
    assert "待完成" in html and f"/wishes/claims/{claim.pk}/" in html
    assert "1 个认领还没有标记完成" in html


def test_a_claim_page_is_private_to_the_claimant_and_staff_in_scope(login, world, people, published):
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    url = f"/wishes/claims/{claim.pk}/"
    assert login(people.volunteer_user).get(url).status_code == 200
    assert login(world.secretary_a).get(url).status_code == 200
    assert login(people.leader_user).get(url).status_code == 404
    assert login(world.secretary_b).get(url).status_code == 404


def test_claim_pages_need_a_login(client, people, published):
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    for url in (f"/wishes/claims/{claim.pk}/", f"/wishes/claims/{claim.pk}/photo/"):
        assert client.get(url).url.startswith("/accounts/login/")


def test_staff_can_read_a_claim_but_not_act_for_the_claimant(login, world, people, published):
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    response = login(world.secretary_a).post(f"/wishes/claims/{claim.pk}/withdraw/")
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CLAIMED


def test_withdrawing_from_the_claim_page(login, people, published):
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    response = login(people.volunteer_user).post(f"/wishes/claims/{claim.pk}/withdraw/", follow=True)
    assert "名额已释放" in response.content.decode()
    published.refresh_from_db()
    assert published.status == Wish.Status.PUBLISHED


def _fulfil(client, claim, **files):
    return client.post(f"/wishes/claims/{claim.pk}/fulfil/", {"note": "已陪同老人复查", **files})


def test_fulfilling_with_a_photo_reencodes_it(login, people, published):
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    photo = SimpleUploadedFile("done.png", image_bytes("PNG"), content_type="image/png")
    response = _fulfil(login(people.volunteer_user), claim, photo=photo)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.FULFILLED
    with claim.photo.open("rb") as handle:
        assert handle.read(3) == b"\xff\xd8\xff"  # stored as JPEG, whatever came in


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("note.txt", b"just text", "只能上传"),
        ("fake.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "只能上传"),
        ("shot.bmp", None, "只能上传"),
        ("truncated.jpg", image_bytes()[:200], "只能上传"),
    ],
)
def test_bad_files_are_refused_and_nothing_changes(login, people, published, name, content, message):
    if content is None:
        content = image_bytes("BMP")
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    response = _fulfil(login(people.volunteer_user), claim, photo=SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert message in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CLAIMED and not claim.photo


def test_a_photo_over_the_size_limit_is_refused(settings, login, people, published):
    settings.WISH_PHOTO_MAX_MB = 1
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    big = SimpleUploadedFile("big.jpg", image_bytes() + b"\0" * (1024 * 1024))
    response = _fulfil(login(people.volunteer_user), claim, photo=big)
    assert response.status_code == 400
    assert "照片太大了" in response.content.decode()


def test_fulfilling_without_a_note_gets_a_message(login, people, published):
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    response = login(people.volunteer_user).post(f"/wishes/claims/{claim.pk}/fulfil/", {"note": ""})
    assert response.status_code == 400
    assert "请简单写一下完成情况" in response.content.decode()


def test_photos_are_served_only_to_those_allowed(client, login, world, people, published):
    published.is_shared = True
    published.save(update_fields=["is_shared"])
    follower = services.wish_follow(wish=published, name="张大爷", phone="13912340000")
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    photo = SimpleUploadedFile("done.jpg", image_bytes(), content_type="image/jpeg")
    _fulfil(login(people.volunteer_user), claim, photo=photo)
    claim.refresh_from_db()
    with pytest.raises(ValueError):
        _ = claim.photo.url  # no public URL: the file is not under MEDIA_ROOT

    def fetch(c, url):
        response = c.get(url)
        return response.status_code

    claimant_url = f"/wishes/claims/{claim.pk}/photo/"
    resident_url = f"/wishes/track/{published.code}/claims/{claim.pk}/photo/"
    assert fetch(login(people.volunteer_user), claimant_url) == 200
    assert fetch(login(world.secretary_a), claimant_url) == 200
    assert fetch(login(world.street_staff), claimant_url) == 200
    assert fetch(login(world.secretary_b), claimant_url) == 404
    assert fetch(login(people.leader_user), claimant_url) == 404
    client.logout()
    assert fetch(client, resident_url) == 200
    assert fetch(client, f"/wishes/track/{follower.code}/claims/{claim.pk}/photo/") == 404
    other = WishFactory(grid=world.grid_a, status=Wish.Status.PUBLISHED)
    assert fetch(client, f"/wishes/track/{other.code}/claims/{claim.pk}/photo/") == 404
