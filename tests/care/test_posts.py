"""Posts (认岗): staff publish, party members claim within capacity, record service, staff verify for points."""

import datetime
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from care import services
from care.models import Post, PostClaim, PostService
from grids.models import GridAssignment
from points.models import PointsEntry
from portal.roles import Role
from tests.factories import (
    BuildingFactory,
    GridAssignmentFactory,
    HouseholdFactory,
    VolunteerFactory,
    make_user,
)


@pytest.fixture
def posts(care):
    for name in ("community_a", "community_b", "community_c", "grid_a"):
        getattr(care, name).refresh_from_db()  # the tree's bounds as stored
    care.post = services.post_save(
        post=Post(
            community=care.community_a,
            kind=Post.Kind.HELP,
            title="兰苑独居老人帮扶岗",
            duties="每周看望一次独居老人",
            place="兰苑社区1号楼",
            building=care.building_a,
            capacity=2,
        ),
        actor=care.secretary_a,
    )
    return care


def _member(world, username, community=None, party=True):
    return VolunteerFactory(
        user=make_user(Role.VOLUNTEER, username=username),
        community=community or world.community_a,
        is_party_member=party,
    )


def test_a_party_member_claims_and_capacity_holds(posts):
    services.post_claim(post=posts.post, volunteer=posts.member)
    second = _member(posts, "member2")
    services.post_claim(post=posts.post, volunteer=second)
    with pytest.raises(ValidationError, match="名额已满"):
        services.post_claim(post=posts.post, volunteer=_member(posts, "member3"))
    with pytest.raises(ValidationError, match="您已认领这个岗位"):
        services.post_claim(post=posts.post, volunteer=posts.member)
    posts.post.refresh_from_db()
    assert posts.post.claimed_count == 2

    claim = PostClaim.objects.get(volunteer=second)
    services.post_leave(claim=claim, volunteer=second)
    posts.post.refresh_from_db()
    assert posts.post.claimed_count == 1
    services.post_claim(post=posts.post, volunteer=_member(posts, "member4"))  # the freed place


def test_only_party_members_of_the_street_claim_and_the_refusal_says_whom_to_see(posts):
    not_party = _member(posts, "plain", party=False)
    with pytest.raises(ValidationError, match="请到兰苑社区党组织登记"):
        services.post_claim(post=posts.post, volunteer=not_party)
    elsewhere = _member(posts, "far", community=posts.community_c)
    with pytest.raises(PermissionDenied):
        services.post_claim(post=posts.post, volunteer=elsewhere)
    posts.post.is_open = False
    services.post_save(post=posts.post, actor=posts.secretary_a)
    with pytest.raises(ValidationError, match="停止认领"):
        services.post_claim(post=posts.post, volunteer=posts.member)


def test_staff_publish_posts_only_in_their_scope_and_capacity_never_below_the_claims(posts):
    other = Post(
        community=posts.community_b, kind=Post.Kind.OTHER, title="x", duties="x", place="x", capacity=1
    )
    with pytest.raises(PermissionDenied):
        services.post_save(post=other, actor=posts.secretary_a)
    wrong_building = Post(
        community=posts.community_a,
        kind=Post.Kind.OTHER,
        title="x",
        duties="x",
        place="x",
        capacity=1,
        building=posts.building_b,
    )
    with pytest.raises(ValidationError, match="这栋楼不在所选社区"):
        services.post_save(post=wrong_building, actor=posts.secretary_a)
    services.post_claim(post=posts.post, volunteer=posts.member)
    services.post_claim(post=posts.post, volunteer=_member(posts, "member2"))
    posts.post.capacity = 1
    with pytest.raises(ValidationError, match="名额不能少于已认领的 2 人"):
        services.post_save(post=posts.post, actor=posts.secretary_a)


def test_service_is_recorded_by_the_holder_and_verified_by_staff_for_points(posts, login):
    claim = services.post_claim(post=posts.post, volunteer=posts.member)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        services.post_service_record(
            claim=claim,
            volunteer=posts.member,
            served_on=today + datetime.timedelta(days=1),
            hours=Decimal("30"),
            content=" ",
        )
    assert set(refused.value.message_dict) == {"served_on", "hours", "content"}
    with pytest.raises(PermissionDenied):
        services.post_service_record(
            claim=claim,
            volunteer=_member(posts, "other"),
            served_on=today,
            hours=Decimal("1"),
            content="代填",
        )
    service = services.post_service_record(
        claim=claim, volunteer=posts.member, served_on=today, hours=Decimal("1.5"), content="陪老人复诊"
    )
    with pytest.raises(PermissionDenied):
        services.post_service_verify(service=service, actor=posts.secretary_b)  # another community's staff
    services.post_service_verify(service=service, actor=posts.secretary_a)
    entry = PointsEntry.objects.get(rule__code="post_service_hour")
    assert entry.points == Decimal("3.0")  # 1.5 h × 2 points an hour
    with pytest.raises(ValidationError, match="已经核验"):
        services.post_service_verify(service=service, actor=posts.secretary_a)
    assert PointsEntry.objects.filter(rule__code="post_service_hour").count() == 1


def test_the_member_page_claims_records_and_shows_what_is_waiting(posts, login):
    client = login(posts.volunteer)
    page = client.get(reverse("care:posts"))
    assert page.status_code == 200
    assert "兰苑独居老人帮扶岗" in page.content.decode()
    assert client.post(reverse("care:post_claim", args=[posts.post.pk])).status_code == 302
    claim = PostClaim.objects.get(volunteer=posts.member)
    bad = client.post(
        reverse("care:post_service", args=[claim.pk]),
        {"served_on": "明天", "hours": "=1+1", "content": "<script>alert(1)</script>"},
    )
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "日期请写成 2026-03-01" in body and "时长请填数字" in body
    assert "<script>alert(1)</script>" not in body
    assert PostService.objects.count() == 0
    done = client.post(
        reverse("care:post_service", args=[claim.pk]),
        {"served_on": timezone.localdate().isoformat(), "hours": "2", "content": "<b>打扫楼道</b>"},
        follow=True,
    )
    body = done.content.decode()
    assert "等兰苑社区工作人员核验后计入积分" in body
    assert "&lt;b&gt;打扫楼道&lt;/b&gt;" in body  # shown as text


def test_other_streets_posts_and_other_peoples_claims_answer_404(posts, login):
    far_post = Post.objects.create(
        community=posts.community_c, kind=Post.Kind.OTHER, title="别街岗位", duties="x", place="x", capacity=3
    )
    owner = _member(posts, "owner")
    claim = services.post_claim(post=posts.post, volunteer=owner)
    client = login(posts.volunteer)
    assert client.post(reverse("care:post_claim", args=[far_post.pk])).status_code == 404
    assert client.post(reverse("care:post_leave", args=[claim.pk])).status_code == 404
    assert client.post(reverse("care:post_service", args=[claim.pk]), {"hours": "1"}).status_code == 404
    assert "别街岗位" not in client.get(reverse("care:posts")).content.decode()


def test_staff_see_service_to_verify_in_their_todo_and_verify_it_in_the_admin(posts, login):
    claim = services.post_claim(post=posts.post, volunteer=posts.member)
    service = services.post_service_record(
        claim=claim,
        volunteer=posts.member,
        served_on=timezone.localdate(),
        hours=Decimal("1"),
        content="入户宣传",
    )
    client = login(posts.secretary_a)
    todo = client.get(reverse("inbox:todo")).content.decode()
    assert "待核验的认岗服务" in todo and "入户宣传" in todo
    assert "待核验的认岗服务" not in login(posts.secretary_b).get(reverse("inbox:todo")).content.decode()
    client = login(posts.secretary_a)
    response = client.post(
        reverse("admin:care_postservice_changelist"),
        {"action": "verify", "_selected_action": [service.pk]},
        follow=True,
    )
    assert "已核验 1 条服务记录" in response.content.decode()
    service.refresh_from_db()
    assert service.verified_by_id == posts.secretary_a.pk


def test_identity_consent_is_the_members_own_and_for_party_members_only(posts, login):
    client = login(posts.volunteer)
    client.post(reverse("care:identity"), {"shows": "1"})
    posts.member.refresh_from_db()
    assert posts.member.shows_identity is True
    client.post(reverse("care:identity"), {"shows": "0"})
    posts.member.refresh_from_db()
    assert posts.member.shows_identity is False
    plain = _member(posts, "plain", party=False)
    response = login(plain.user).post(reverse("care:identity"), {"shows": "1"}, follow=True)
    assert "亮身份面向党员" in response.content.decode()
    plain.refresh_from_db()
    assert plain.shows_identity is False


def test_the_board_names_only_members_who_agreed_and_is_for_the_grids_staff_and_workers(posts, login):
    shown = posts.member
    shown.shows_identity = True
    shown.save()
    hidden = _member(posts, "hidden")
    services.post_claim(post=posts.post, volunteer=shown)
    services.post_claim(post=posts.post, volunteer=hidden)
    leader = make_user(username="leader_a", full_name="楼长甲")
    VolunteerFactory(user=leader, community=posts.community_a, is_party_member=True, shows_identity=True)
    GridAssignmentFactory(
        person=leader, grid=posts.grid_a, building=posts.building_a, role=GridAssignment.Role.BUILDING_LEADER
    )
    GridAssignmentFactory(person=posts.gridworker_a, grid=posts.grid_a, role=GridAssignment.Role.GRID_WORKER)

    from care.selectors import building_board

    board = building_board(posts.building_a)
    names = [name for name, _roles in board.members]
    assert shown.name in names and hidden.name not in names
    assert board.leaders and board.leaders[0][1] is True
    assert [role for role, _name in board.workers] == ["网格员"]

    url = reverse("care:building_board_pdf", args=[posts.building_a.pk])
    assert login(posts.secretary_b).get(url).status_code == 404
    assert login(posts.volunteer).get(url).status_code in (302, 403, 404)
    response = login(posts.gridworker_a).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_the_board_pdf_embeds_a_cjk_font(posts, login, tmp_path):
    pdffonts = subprocess.run(["which", "pdffonts"], capture_output=True, text=True).stdout.strip()
    if not pdffonts:
        pytest.skip("pdffonts (poppler-utils) is installed by scripts/system-deps")
    response = login(posts.secretary_a).get(reverse("care:building_board_pdf", args=[posts.building_a.pk]))
    path = tmp_path / "board.pdf"
    path.write_bytes(response.content)
    fonts = subprocess.run([pdffonts, str(path)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all(" yes " in line for line in rows)  # every font embedded


def test_the_dashboard_shows_the_party_share_among_building_leaders(posts, login):
    party = make_user(username="leader_p")
    VolunteerFactory(user=party, community=posts.community_a, is_party_member=True)
    GridAssignmentFactory(
        person=party, grid=posts.grid_a, building=posts.building_a, role=GridAssignment.Role.BUILDING_LEADER
    )
    other_building = BuildingFactory(grid=posts.grid_a, name="2号楼")
    GridAssignmentFactory(
        person=make_user(username="leader_n"),
        grid=posts.grid_a,
        building=other_building,
        role=GridAssignment.Role.BUILDING_LEADER,
    )
    HouseholdFactory(building=other_building, room="101")
    from care.selectors import building_leader_counts
    from portal.scoping import Subtree

    assert building_leader_counts(Subtree.of(posts.community_a)) == {"leaders": 2, "party_leaders": 1}
    page = login(posts.secretary_a).get(reverse("dashboard:home")).content.decode()
    assert "楼栋长中的党员" in page and "50%" in page


def test_staff_publish_a_post_in_the_admin_and_bad_input_is_told_beside_its_field(posts, login):
    client = login(posts.secretary_a)
    url = reverse("admin:care_post_add")
    data = {
        "community": posts.community_a.pk,
        "kind": Post.Kind.CIVILITY,
        "title": '=HYPERLINK("http://x")',
        "duties": "<script>alert(1)</script>劝导",
        "place": "兰苑社区",
        "building": "",
        "capacity": "3",
        "is_open": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get(kind=Post.Kind.CIVILITY)
    assert post.created_by_id == posts.secretary_a.pk and post.duties.startswith("<script>")

    elsewhere = client.post(url, {**data, "community": posts.community_b.pk})
    assert elsewhere.status_code == 200  # the form again, with the reason
    assert Post.objects.filter(community=posts.community_b).count() == 0

    services.post_claim(post=posts.post, volunteer=posts.member)
    services.post_claim(post=posts.post, volunteer=_member(posts, "member2"))
    change = reverse("admin:care_post_change", args=[posts.post.pk])
    response = client.post(
        change,
        {
            **data,
            "title": posts.post.title,
            "kind": Post.Kind.HELP,
            "building": posts.building_a.pk,
            "capacity": "1",
        },
    )
    assert "名额不能少于已认领的 2 人" in response.content.decode()
    posts.post.refresh_from_db()
    assert posts.post.capacity == 2


def test_a_double_press_records_service_once_and_a_day_holds_at_most_twelve_hours(posts):
    claim = services.post_claim(post=posts.post, volunteer=posts.member)
    today = timezone.localdate()
    services.post_service_record(
        claim=claim, volunteer=posts.member, served_on=today, hours=Decimal("8"), content="看望"
    )
    with pytest.raises(ValidationError, match="已经填报过"):
        services.post_service_record(
            claim=claim, volunteer=posts.member, served_on=today, hours=Decimal("8"), content="看望"
        )
    with pytest.raises(ValidationError, match="一天最多"):
        services.post_service_record(
            claim=claim, volunteer=posts.member, served_on=today, hours=Decimal("5"), content="打扫楼道"
        )
    services.post_service_record(
        claim=claim, volunteer=posts.member, served_on=today, hours=Decimal("4"), content="打扫楼道"
    )
    assert PostService.objects.count() == 2


def test_a_tampered_building_id_and_a_zero_capacity_get_messages(posts, login):
    client = login(posts.secretary_a)
    data = {
        "community": posts.community_a.pk,
        "kind": Post.Kind.CIVILITY,
        "title": "劝导岗",
        "duties": "劝导",
        "place": "兰苑社区",
        "building": "abc",
        "capacity": "0",
    }
    response = client.post(reverse("admin:care_post_add"), data)
    assert response.status_code == 200
    assert "post_capacity_positive" not in response.content.decode()
    assert Post.objects.filter(title="劝导岗").count() == 0
