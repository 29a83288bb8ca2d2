"""Probes from outside: other scopes' ids, hostile text and files, tampered forms."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cases import services
from cases.models import Case, CasePhoto, CaseState, Dispatch
from portal.models import User
from tests.cases.conftest import checked_photo, upload

XSS = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
FORMULA = '=HYPERLINK("http://evil","x")'


def _u(user):
    return User.objects.get(pk=user.pk)


@pytest.fixture
def case_c(world, setup):
    return services.case_report_resident(
        grid=world.grid_c,
        category=setup.other_category,
        description="民主社区路灯坏了好几天",
        phone="13600003333",
    )


@pytest.mark.django_db
def test_other_street_ids(world, setup, reported, case_c, login):
    client = login(world.street_staff)
    for url in (reverse("cases:detail", args=[case_c.pk]),):
        assert client.get(url).status_code == 404
    for action in ("accept", "decline", "dispatch", "merge", "supervise", "verify", "to_wish", "finish"):
        assert (
            client.post(reverse("cases:act", args=[case_c.pk, action]), {"reason": "xx"}).status_code == 404
        )
    # merge into another street's case by its code
    r = client.post(reverse("cases:act", args=[reported.pk, "merge"]), {"into": case_c.code}, follow=True)
    assert "不在您的管辖范围内" in r.content.decode()
    r = client.post(reverse("cases:act", args=[reported.pk, "merge"]), {"into": reported.code}, follow=True)
    assert "不能把事件合并到它自己" in r.content.decode()
    assert Case.objects.get(pk=reported.pk).state == CaseState.REPORTED


@pytest.mark.django_db
def test_transfer_to_other_case_dispatch(world, setup, reported, case_c, login):
    street = _u(world.street_staff)
    [d] = services.case_dispatch(case=reported, by=street, units=[setup.unit])
    client = login(world.street_staff)
    r = client.post(
        reverse("cases:transfer", args=[reported.pk, d.pk]),
        {"dispatch-departments": [str(setup.other_department.pk)], "dispatch-reason": "换一家"},
        follow=True,
    )
    assert r.status_code == 200 and "不在本街道的名单中" in r.content.decode()
    assert Dispatch.objects.count() == 1


@pytest.mark.django_db
def test_responder_photo_of_other_dispatch(world, setup, reported, login):
    street = _u(world.street_staff)
    d2, d1 = services.case_dispatch(
        case=reported, by=street, units=[setup.unit], departments=[setup.department]
    )
    services.dispatch_sign(dispatch=d2, by=_u(setup.dept_user))
    services.dispatch_complete(dispatch=d2, by=_u(setup.dept_user), result="修好了", photos=[checked_photo()])
    photo = CasePhoto.objects.get(dispatch=d2)
    assert login(setup.unit_user).get(reverse("cases:photo", args=[photo.pk])).status_code in (403, 404)


@pytest.mark.django_db
def test_markup_is_escaped_everywhere(world, setup, login, client):
    case = services.case_report_resident(
        grid=world.grid_a,
        category=setup.env,
        description=XSS,
        phone="13700002223",
        address=XSS[:100],
        name="<b>x</b>",
    )
    page = login(world.street_staff).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    page = login(world.street_staff).get(reverse("cases:queue")).content.decode()
    assert "<script>alert" not in page
    page = client.get(reverse("cases:track", args=[case.code])).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    admin = login(world.superuser)
    for url in (
        reverse("admin:cases_case_changelist"),
        reverse("admin:cases_case_change", args=[case.pk]),
        reverse("admin:cases_caseevent_changelist"),
    ):
        r = admin.get(url)
        assert r.status_code == 200, url
        assert "<script>alert" not in r.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "files",
    [
        "pdf",
        "huge",
        "four",
        "zip",
    ],
)
def test_hostile_photos_public_form(client, world, setup, files):
    if files == "pdf":
        photos = [SimpleUploadedFile("a.jpg", b"%PDF-1.4\n" + b"x" * 1000, content_type="image/jpeg")]
    elif files == "huge":
        buf = io.BytesIO()
        Image.new("1", (6300, 6300)).save(buf, format="PNG")
        photos = [SimpleUploadedFile("a.png", buf.getvalue(), content_type="image/png")]
    elif files == "four":
        photos = [upload(f"{i}.jpg") for i in range(4)]
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("a.txt", b"0" * 50_000_000)
        photos = [SimpleUploadedFile("a.jpg", buf.getvalue(), content_type="image/jpeg")]
    r = client.post(
        reverse("cases:new") + f"?grid={world.grid_a.code}",
        {
            "category": setup.env.pk,
            "description": "路灯坏了好几天了",
            "phone": "13700009999",
            "photos": photos,
        },
    )
    assert r.status_code == 400
    assert not Case.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides",
    [
        {"description": "x" * 100_000},
        {"address": "y" * 5000},
        {"name": "z" * 500},
        {"latitude": "9" * 40, "longitude": "1"},
        {"latitude": "NaN", "longitude": "Infinity"},
        {"phone": "1" * 5000},
        {"category": "99999999999999999999999"},
        {"description": "\x00abcdefg"},
    ],
)
def test_over_long_and_odd_public_input(client, world, setup, overrides):
    data = {"category": setup.env.pk, "description": "路灯坏了好几天了", "phone": "13700009999"}
    data.update(overrides)
    r = client.post(reverse("cases:new") + f"?grid={world.grid_a.code}", data)
    assert r.status_code == 400, r.status_code
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_track_odd_codes(client, world, setup, reported):
    for code in ("x" * 5000, "%00", "<script>", reported.code.lower(), " " + reported.code):
        r = client.get(f"/cases/track/{code}/")
        assert r.status_code in (200, 302, 404), (code, r.status_code)
    r = client.post(reverse("cases:track_rate", args=[reported.code]), {"rating": "5"}, follow=True)
    assert r.status_code == 200
    assert Case.objects.get(pk=reported.pk).state == CaseState.REPORTED
    r = client.post(reverse("cases:track_rate", args=[reported.code]), {"rating": "9"})
    assert r.status_code == 400


@pytest.mark.django_db
def test_resident_code_shows_no_other_case(client, world, setup, reported):
    other = services.case_report_resident(
        grid=world.grid_a,
        category=setup.env,
        description="另一户反映的问题很重要",
        phone="13700004444",
        address="5号楼301",
    )
    street = _u(world.street_staff)
    services.case_merge(case=other, into=reported, by=street)
    page = client.get(reverse("cases:track", args=[other.code])).content.decode()
    assert "3号楼门口" not in page and reported.code not in page
    page = client.get(reverse("cases:track", args=[reported.code])).content.decode()
    assert "5号楼301" not in page and other.code not in page and "13700004444" not in page


@pytest.mark.django_db
def test_staff_notes_between_levels_stay_off_the_residents_page(client, world, setup, reported):
    worker = _u(world.gridworker_a)
    services.case_pass_up(case=reported, by=worker, note="楼长王阿姨13911112222说是5号楼的人扔的")
    page = client.get(reverse("cases:track", args=[reported.code])).content.decode()
    assert "上报上级" in page  # what was done
    assert "13911112222" not in page and "王阿姨" not in page  # not the staff's words
    secretary = _u(world.secretary_a)
    services.case_send_back(case=Case.objects.get(pk=reported.pk), by=secretary, reason="网格员李四去看一下")
    page = client.get(reverse("cases:track", args=[reported.code])).content.decode()
    assert "李四" not in page


@pytest.mark.django_db
def test_admin_refuses_a_category_or_department_for_another_street(world, setup, login):
    from cases.models import Category, Department

    client = login(world.street_staff)
    r = client.post(
        reverse("admin:cases_category_add"),
        {
            "street": world.other_street.pk,
            "name": "乱加的类别",
            "first_level": "grid",
            "sign_hours": "4",
            "finish_hours": "8",
            "active": "on",
            "position": "0",
        },
    )
    assert r.status_code == 200 and not Category.objects.filter(name="乱加的类别").exists()
    r = client.post(
        reverse("admin:cases_department_add"),
        {
            "street": world.other_street.pk,
            "name": "乱加的部门",
            "active": "on",
            "liaisons": [setup.dept_user.pk],
        },
    )
    assert r.status_code == 200 and not Department.objects.filter(name="乱加的部门").exists()
    # another street's category and department pages answer 404
    assert client.get(reverse("admin:cases_category_change", args=[setup.other_category.pk])).status_code in (
        302,
        404,
    )
    assert client.get(
        reverse("admin:cases_department_change", args=[setup.other_department.pk])
    ).status_code in (302, 404)
    # a secretary does not edit the street's lists
    sec = login(world.secretary_a)
    assert sec.post(
        reverse("admin:cases_category_change", args=[setup.env.pk]), {"name": "x"}
    ).status_code in (302, 403, 404)
    setup.env.refresh_from_db()
    assert setup.env.name == "环境卫生"


@pytest.mark.django_db
def test_a_long_case_becomes_a_wish_or_gets_a_message(world, setup, login):
    case = services.case_report_resident(
        grid=world.grid_a, category=setup.env, description="长" * 500, phone="13700005555", name="王" * 20
    )
    client = login(world.gridworker_a)
    r = client.post(reverse("cases:act", args=[case.pk, "to_wish"]), follow=True)
    assert r.status_code == 200
    case.refresh_from_db()
    text = r.content.decode()
    assert case.state == CaseState.TO_WISH or "alert" in text or "error" in text
    if case.state == CaseState.TO_WISH:
        assert case.wish.code == case.code


@pytest.mark.django_db
def test_a_residents_code_opens_no_photo_of_another_case(client, world, setup, reported):
    other = services.case_report_resident(
        grid=world.grid_a,
        category=setup.env,
        description="另一户的照片不能被看到",
        phone="13700006666",
        photos=[checked_photo()],
    )
    photo = other.photos.get()
    assert client.get(reverse("cases:track_photo", args=[reported.code, photo.pk])).status_code == 404
    assert client.get(reverse("cases:track_photo", args=[other.code, photo.pk])).status_code == 200
    assert client.get(reverse("cases:photo", args=[photo.pk])).status_code == 302  # to sign in
