"""In a real browser: a liaison posts project progress from a phone; every page at phone and desktop size."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alliances import services
from alliances.models import MeetingAttendance, Project, ProjectPhoto, ProjectUpdate
from alliances.photos import normalise_photo
from tests.alliances.conftest import image_bytes
from tests.factories import NeedFactory, ResourceFactory
from tests.utils import sign_in


@pytest.fixture
def project(aw):
    need = NeedFactory(community=aw.world.community_a, title="四点半课堂", kind="venue", quantity=2)
    resource = ResourceFactory(unit=aw.unit_a, title="教室和图书室", quantity=3, quantity_unit="间")
    project = services.project_create_from_match(
        need=need,
        resource=resource,
        actor=aw.world.street_staff,
        budget=8000,
        start_on=datetime.date(2026, 3, 1),
        end_on=datetime.date(2026, 6, 30),
    )
    project.partner_units.add(aw.unit_b)
    return project


@pytest.mark.browser
def test_a_liaison_posts_a_progress_update_with_a_photo_from_a_phone(aw, project, phone_page, tmp_path):
    photo = tmp_path / "课堂.jpg"
    photo.write_bytes(image_bytes(size=(2400, 1800), colour=(40, 120, 200)))
    page = phone_page
    sign_in(page, "liaison_a")
    assert "/me/" in page.url
    page.click("text=兰苑小学")
    page.shoot("alliances-phone-unit")
    page.click("text=四点半课堂")
    page.fill("#id_text", "第一次课堂开课，来了 20 名孩子，两名老师辅导作业。")
    page.fill("#id_progress_percent", "25")
    page.set_input_files("#id_photos", str(photo))
    page.shoot("alliances-phone-update-form")
    page.click("text=发布进展 >> nth=-1")
    page.wait_for_load_state("networkidle")
    assert page.locator(".messages").inner_text().startswith("已发布进展")
    image = page.locator(".photos img").first
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    page.shoot("alliances-phone-update-posted")

    update = ProjectUpdate.objects.get()
    assert (update.posted_by.username, update.unit, update.progress_percent) == ("liaison_a", aw.unit_a, 25)
    project.refresh_from_db()
    assert (project.status, project.progress_percent) == (Project.Status.IN_PROGRESS, 25)
    assert ProjectPhoto.objects.get().width == 1600


def _fill(aw, project):
    """Content for every page: a schedule, an update with a photo, a recorded meeting with problems."""
    staff = aw.world.street_staff
    month = timezone.localdate().replace(day=1)
    services.chair_schedule_generate(alliance=aw.street_alliance, start=month, months=6)
    services.chair_schedule_generate(alliance=aw.committee_a, start=month, months=6)
    ResourceFactory(unit=aw.unit_a, kind="volunteers", title="教师志愿者", quantity=15, quantity_unit="人")
    ResourceFactory(unit=aw.unit_s, title="职工之家", community=None)
    ResourceFactory(unit=aw.unit_b, title="门诊会议室", community=aw.world.community_b)
    NeedFactory(
        community=aw.world.community_a, title="老年助餐点场地", kind="venue", priority="hot", quantity=1
    )
    upload = SimpleUploadedFile("a.jpg", image_bytes(size=(1200, 900)), content_type="image/jpeg")
    services.project_post_update(
        project=project,
        actor=aw.liaison_a,
        text="完成前期摸底，确定了 32 名服务对象。",
        progress_percent=20,
        photos=[normalise_photo(upload)],
    )
    services.project_post_update(project=project, actor=aw.liaison_b, text="医院派出两名医生开展健康讲座。")
    meeting = services.meeting_schedule(
        alliance=aw.street_alliance,
        held_at=timezone.now() - datetime.timedelta(hours=3),
        agenda="一、通报项目进展；二、研究热点需求。",
        actor=staff,
        place="街道党群服务中心",
    )
    services.meeting_record(
        meeting=meeting,
        actor=staff,
        minutes="会议由轮值主席单位主持，研究了三项需求。",
        attendance={
            aw.unit_a.pk: ("present", "张校长"),
            aw.unit_b.pk: ("excused", ""),
            aw.unit_s.pk: ("present", "李所长"),
        },
    )
    problem = services.problem_raise(
        meeting=meeting,
        actor=staff,
        description="学校门口上下学时段交通拥堵",
        owner_unit=aw.unit_a,
        raised_by_unit=aw.unit_s,
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    services.problem_follow_up(
        problem=problem, actor=aw.liaison_a, status="in_progress", note="已与交警中队对接。"
    )
    services.meeting_schedule(
        alliance=aw.street_alliance,
        held_at=timezone.now() + datetime.timedelta(days=20),
        agenda="研究下季度项目。",
        actor=staff,
    )
    unrecorded = services.meeting_schedule(
        alliance=aw.street_alliance,
        held_at=timezone.now() - datetime.timedelta(hours=1),
        agenda="研究热点需求。",
        actor=staff,
        title="临时联席会议",
    )
    return meeting, unrecorded


def _tour(aw, project, page, size):
    meeting, unrecorded = _fill(aw, project)
    need = project.need.__class__.objects.get(title="老年助餐点场地")
    staff_pages = [
        ("index", "/alliances/"),
        ("alliance", f"/alliances/{aw.street_alliance.pk}/"),
        ("needs", "/alliances/needs/"),
        ("need-match", f"/alliances/needs/{need.pk}/"),
        ("projects", "/alliances/projects/"),
        ("project", f"/alliances/projects/{project.pk}/"),
        ("meeting", f"/alliances/meetings/{meeting.pk}/"),
        ("meeting-planned", f"/alliances/meetings/{unrecorded.pk}/"),
        ("meeting-record", f"/alliances/meetings/{unrecorded.pk}/record/"),
        ("meeting-new", f"/alliances/{aw.street_alliance.pk}/meetings/new/"),
    ]
    sign_in(page, "street")
    for name, path in staff_pages:
        response = page.goto(path)
        assert response.status == 200, path
        page.shoot(f"alliances-{size}-staff-{name}")
    page.goto("/me/")  # signing out lives on 我的, not in the top bar
    page.click("#sign-out button")
    page.wait_for_load_state("networkidle")
    sign_in(page, "liaison_a")
    liaison_pages = [
        ("me", "/me/"),
        ("unit", f"/alliances/units/{aw.unit_a.pk}/"),
        ("resource-new", f"/alliances/units/{aw.unit_a.pk}/resources/new/"),
        ("project", f"/alliances/projects/{project.pk}/"),
        ("alliance", f"/alliances/{aw.street_alliance.pk}/"),
        ("meeting", f"/alliances/meetings/{meeting.pk}/"),
    ]
    for name, path in liaison_pages:
        response = page.goto(path)
        assert response.status == 200, path
        page.shoot(f"alliances-{size}-liaison-{name}")
    assert MeetingAttendance.objects.count() == 3


@pytest.mark.browser
def test_every_page_on_a_phone(aw, project, phone_page):
    _tour(aw, project, phone_page, "phone")


@pytest.mark.browser
def test_every_page_on_a_desktop(aw, project, desktop_page):
    _tour(aw, project, desktop_page, "desktop")
