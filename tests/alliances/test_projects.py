"""Projects: progress updates with photos, status changes, points for the lead unit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from alliances import services
from alliances.models import Need, Project, ProjectPhoto, ProjectStatusChange, ProjectUpdate
from points.models import PointsEntry
from tests.alliances.conftest import image_bytes
from tests.factories import NeedFactory, ProjectFactory, ResourceFactory


@pytest.fixture
def project(aw):
    need = NeedFactory(community=aw.world.community_a, title="四点半课堂")
    resource = ResourceFactory(unit=aw.unit_a, title="教室")
    project = services.project_create_from_match(need=need, resource=resource, actor=aw.world.street_staff)
    project.partner_units.add(aw.unit_b)
    return project


def upload(name="photo.jpg", data=None, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data if data is not None else image_bytes(), content_type=content_type)


def post_update(client, project, **data):
    return client.post(reverse("alliances:project_update_new", args=[project.pk]), data)


def test_the_lead_liaison_posts_an_update_with_a_photo(aw, project, login):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # any EXIF: it must not survive
    response = post_update(
        login(aw.liaison_a),
        project,
        text="第一次课堂开课，来了 20 名孩子。",
        progress_percent="30",
        photos=[upload(data=image_bytes(size=(3000, 2000), exif=exif))],
    )
    assert response.status_code == 302
    update = ProjectUpdate.objects.get()
    assert (update.unit, update.posted_by, update.progress_percent) == (aw.unit_a, aw.liaison_a, 30)
    project.refresh_from_db()
    assert project.progress_percent == 30
    assert project.status == Project.Status.IN_PROGRESS  # the first update starts the project
    assert ProjectStatusChange.objects.filter(project=project, to_status="in_progress").exists()
    photo = ProjectPhoto.objects.get()
    with photo.image.open("rb") as handle, Image.open(handle) as stored:
        assert stored.format == "JPEG" and max(stored.size) == 1600
        assert not stored.getexif()


def test_a_partner_posts_text_but_not_the_progress(aw, project, login):
    client = login(aw.liaison_b)
    page = client.get(reverse("alliances:project_update_new", args=[project.pk])).content.decode()
    assert "当前进度" not in page
    post_update(client, project, text="医院派出两名医生参加义诊。", progress_percent="90")
    update = ProjectUpdate.objects.get()
    assert update.unit == aw.unit_b and update.progress_percent is None
    project.refresh_from_db()
    assert project.progress_percent == 0
    with pytest.raises(PermissionDenied):
        services.project_post_update(project=project, actor=aw.liaison_b, text="改进度", progress_percent=90)


@pytest.mark.parametrize(
    "photo, message",
    [
        (lambda: upload("notes.jpg", b"this is not an image", "image/jpeg"), "不是可识别的图片"),
        (lambda: upload("scan.gif", image_bytes(fmt="GIF"), "image/gif"), "格式不支持"),
    ],
)
def test_a_bad_photo_is_refused_and_nothing_is_saved(aw, project, login, photo, message):
    response = post_update(login(aw.liaison_a), project, text="今天的活动", photos=[photo()])
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProjectUpdate.objects.exists() and not ProjectPhoto.objects.exists()


def test_a_photo_too_large_is_refused(aw, project, login, monkeypatch):
    monkeypatch.setattr("alliances.photos.MAX_BYTES", 1000)
    response = post_update(login(aw.liaison_a), project, text="今天的活动", photos=[upload()])
    assert response.status_code == 400
    assert "太大" in response.content.decode()
    assert not ProjectUpdate.objects.exists()


def test_at_most_four_photos(aw, project, login):
    response = post_update(
        login(aw.liaison_a), project, text="今天的活动", photos=[upload() for _ in range(5)]
    )
    assert response.status_code == 400
    assert "最多上传 4 张" in response.content.decode()
    assert not ProjectUpdate.objects.exists()


def test_empty_text_gets_a_message(aw, project, login):
    response = post_update(login(aw.liaison_a), project, text="  ")
    assert response.status_code == 400
    assert not ProjectUpdate.objects.exists()


@pytest.mark.parametrize(
    "who, status", [("liaison_c", 404), ("other_staff", 404), ("secretary_b", 404), ("volunteer", 404)]
)
def test_outsiders_neither_see_nor_post(aw, project, login, who, status):
    client = login(getattr(aw, who, None) or getattr(aw.world, who))
    assert client.get(reverse("alliances:project_detail", args=[project.pk])).status_code == status
    assert post_update(client, project, text="不该出现的进展").status_code == status
    assert not ProjectUpdate.objects.exists()


def test_photos_are_served_only_to_those_who_see_the_project(aw, project, login):
    services.project_post_update(project=project, actor=aw.liaison_a, text="开课", photos=[_processed()])
    photo = ProjectPhoto.objects.get()
    url = reverse("alliances:photo", args=[photo.pk])
    for user in (aw.liaison_a, aw.liaison_b, aw.world.street_staff, aw.world.secretary_a):
        response = login(user).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    for user in (aw.liaison_c, aw.other_staff, aw.world.secretary_b, aw.world.volunteer):
        assert login(user).get(url).status_code == 404
    with pytest.raises(ValueError):
        photo.image.url  # no public path to the file  # noqa: B018


def _processed():
    from alliances.photos import normalise_photo

    return normalise_photo(upload())


def test_completing_a_project_awards_the_lead_unit_once_and_closes_the_need(aw, project, login):
    client = login(aw.world.street_staff)
    url = reverse("alliances:project_status", args=[project.pk])
    client.post(url, {"to_status": "in_progress"})
    client.post(url, {"to_status": "completed", "note": "验收合格"})
    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED and project.progress_percent == 100
    entry = PointsEntry.objects.get()
    assert (entry.rule.code, entry.subject_id, entry.source_id) == (
        "project_completed",
        aw.unit_a.pk,
        project.pk,
    )
    assert services.award_project_points(project) is None  # a second award earns nothing
    assert PointsEntry.objects.count() == 1
    assert Need.objects.get(pk=project.need_id).status == Need.Status.CLOSED
    # A finished project takes no more updates and no more status changes.
    with pytest.raises(ValidationError):
        services.project_post_update(project=project, actor=aw.liaison_a, text="补充")
    response = client.post(url, {"to_status": "cancelled", "note": "x"}, follow=True)
    assert "不能这样改" in response.content.decode()
    with pytest.raises(ValidationError, match="不能改为"):
        services.project_set_status(
            project=project, to_status="cancelled", actor=aw.world.street_staff, note="x"
        )
    assert PointsEntry.objects.count() == 1


def test_cancelling_needs_a_reason_and_sends_the_need_back_to_matching(aw, project):
    with pytest.raises(ValidationError, match="写明原因"):
        services.project_set_status(project=project, to_status="cancelled", actor=aw.world.street_staff)
    services.project_set_status(
        project=project, to_status="cancelled", actor=aw.world.street_staff, note="场地改建"
    )
    assert Need.objects.get(pk=project.need_id).status == Need.Status.OPEN
    assert not PointsEntry.objects.exists()


@pytest.mark.parametrize("who, status", [("liaison_a", 403), ("secretary_b", 404), ("other_staff", 404)])
def test_only_staff_over_the_project_change_its_status(aw, project, login, who, status):
    client = login(getattr(aw, who, None) or getattr(aw.world, who))
    response = client.post(
        reverse("alliances:project_status", args=[project.pk]), {"to_status": "in_progress"}
    )
    assert response.status_code == status
    project.refresh_from_db()
    assert project.status == Project.Status.PLANNED


def test_a_liaison_lists_only_their_units_projects(aw, project, login):
    ProjectFactory(community=aw.world.community_b, title="别人的项目")
    page = login(aw.liaison_a).get(reverse("alliances:project_list")).content.decode()
    assert project.title in page and "别人的项目" not in page


def test_progress_above_100_is_refused(aw, project):
    with pytest.raises(ValidationError):
        services.project_post_update(project=project, actor=aw.liaison_a, text="进展", progress_percent=120)
    assert not ProjectUpdate.objects.exists()


def test_updates_keep_their_dates_for_the_monthly_report(aw, project):
    march = datetime.datetime(2026, 3, 5, 9, 0, tzinfo=datetime.UTC)
    services.project_post_update(
        project=project, actor=aw.liaison_a, text="三月进展", progress_percent=20, posted_at=march
    )
    assert ProjectUpdate.objects.get().posted_at == march
    change = ProjectStatusChange.objects.get(project=project, to_status="in_progress")
    assert change.changed_at == march
