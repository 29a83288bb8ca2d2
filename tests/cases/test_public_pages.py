"""The resident's pages: reporting from a grid's QR code, bad input refused with a message, the tracking page."""

import pytest
from django.urls import reverse

from cases.models import Case, CasePhoto, CaseState
from tests.cases.conftest import image_bytes, upload


def _post(client, grid, setup, **overrides):
    data = {
        "category": str(setup.env.pk),
        "description": "小区北门的路灯坏了一个星期",
        "address": "北门",
        "phone": "138 0013 8000",
        "name": "王",
        **overrides,
    }
    return client.post(reverse("cases:new") + f"?grid={grid.code}", data)


@pytest.mark.django_db
def test_a_resident_reports_with_a_photo_and_gets_a_tracking_code(client, world, setup):
    response = _post(client, world.grid_a, setup, photos=[upload()])
    assert response.status_code == 302
    case = Case.objects.get()
    assert (
        case.grid == world.grid_a
        and case.reporter_phone == "13800138000"
        and case.state == CaseState.REPORTED
    )
    photo = CasePhoto.objects.get()
    assert photo.image.name.endswith(".jpg")
    page = client.get(reverse("cases:submitted"))
    assert case.code in page.content.decode()
    track = client.get(reverse("cases:track", args=[case.code])).content.decode()
    assert "小区北门的路灯坏了" in track
    assert "13800138000" not in track and "138****8000" not in track and "北门</dd>" not in track
    assert client.get(reverse("cases:track_photo", args=[case.code, photo.pk])).status_code == 200


@pytest.mark.django_db
def test_the_form_without_a_qr_code_asks_for_one(client, world, setup):
    page = client.get(reverse("cases:new"))
    assert page.status_code == 200 and "二维码" in page.content.decode()
    assert client.get(reverse("cases:new") + "?grid=NOPE").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"category": "999999"}, "请从列表中选择事件类别"),
        ({"description": "灯坏"}, "问题描述至少 5 个字"),
        ({"description": "很" * 501}, "问题描述最多 500 个字"),
        ({"phone": "12345"}, "手机号"),
        ({"photos": [upload("x.jpg", b"not an image at all")]}, "不是可识别的图片"),
        ({"photos": [upload(), upload(), upload(), upload()]}, "最多上传 3 张照片"),
        ({"photos": [upload("a.gif", image_bytes("GIF"))]}, "格式不支持"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_saves_nothing(client, world, setup, overrides, message):
    response = _post(client, world.grid_a, setup, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.exists() and not CasePhoto.objects.exists()


@pytest.mark.django_db
def test_a_category_of_another_street_is_refused(client, world, setup):
    response = _post(client, world.grid_a, setup, category=str(setup.other_category.pk))
    assert response.status_code == 400 and not Case.objects.exists()


@pytest.mark.django_db
def test_one_phone_reports_a_limited_number_a_day(client, world, setup, settings):
    settings.CASES_SUBMITS_PER_PHONE = 2
    for _ in range(2):
        assert _post(client, world.grid_a, setup).status_code == 302
    refused = _post(client, world.grid_a, setup)
    assert refused.status_code == 429 and "24 小时内已经反映了 2 件事" in refused.content.decode()
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_the_form_is_rate_limited_per_address(client, world, setup, settings):
    settings.CASES_POSTS_PER_HOUR = 2
    settings.CASES_SUBMITS_PER_PHONE = 50
    statuses = [_post(client, world.grid_a, setup).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


@pytest.mark.django_db
def test_a_wrong_code_is_a_404_and_the_resident_rates_a_verified_case(client, world, setup, reported):
    assert client.get(reverse("cases:track", args=["ZZZZZZZZZZZZ"])).status_code == 404
    # Not rateable before it is verified: a message, nothing changes.
    response = client.post(reverse("cases:track_rate", args=[reported.code]), {"rating": "5"}, follow=True)
    assert "不能居民评价" in response.content.decode() or "不能" in response.content.decode()
    reported.refresh_from_db()
    assert reported.rating is None
    Case.objects.filter(pk=reported.pk).update(state=CaseState.VERIFIED)
    assert client.post(reverse("cases:track_rate", args=[reported.code]), {"rating": "9"}).status_code == 400
    client.post(reverse("cases:track_rate", args=[reported.code]), {"rating": "4", "comment": "好"})
    reported.refresh_from_db()
    assert reported.state == CaseState.CLOSED and reported.rating == 4
