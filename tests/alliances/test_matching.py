"""Suggesting resources for an open need, with an explained score, and one-step projects."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from alliances import selectors, services
from alliances.models import Need, NeedStatusChange, Project, ProjectStatusChange, ResourceKind
from tests.alliances.conftest import join
from tests.factories import MemberUnitFactory, NeedFactory, ProjectFactory, ResourceFactory

TODAY = datetime.date(2026, 3, 10)


@pytest.fixture
def need(aw):
    return NeedFactory(
        community=aw.world.community_a,
        title="老年食堂场地",
        kind=ResourceKind.VENUE,
        quantity=2,
        wanted_by=datetime.date(2026, 4, 30),
    )


def suggest(need, user):
    return selectors.match_suggestions(need, user, today=TODAY)


def test_it_ranks_by_community_availability_and_quantity_and_explains_why(aw, need):
    same = ResourceFactory(unit=aw.unit_a, title="多功能厅", community=aw.world.community_a, quantity=2)
    street_wide = ResourceFactory(unit=aw.unit_s, title="职工之家", community=None, quantity=1)
    elsewhere = ResourceFactory(
        unit=aw.unit_b,
        title="会议室",
        community=aw.world.community_b,
        available_until=datetime.date(2026, 3, 31),
    )
    result = suggest(need, aw.world.street_staff)
    assert [s.resource for s in result] == [same, street_wide, elsewhere]
    assert [s.score for s in result] == [100, 80, 50]
    best = dict(result[0].reasons)
    assert best == {
        "类别相符：场地": 40,
        "服务本社区": 30,
        "2026-04-30 前一直可用": 20,
        "数量足够：2，需要 2": 10,
    }
    assert "部分时间可用：2026-03-10 至 2026-03-31" in dict(result[2].reasons)
    assert "数量不足：1，需要 2" in dict(result[1].reasons)


def test_it_leaves_out_other_kinds_withdrawn_expired_and_non_members(aw, need, world):
    ResourceFactory(unit=aw.unit_a, kind=ResourceKind.FUNDS, title="助老资金")
    ResourceFactory(unit=aw.unit_a, title="已撤回的教室", is_active=False)
    ResourceFactory(unit=aw.unit_a, title="过期的操场", available_until=datetime.date(2026, 3, 1))
    ResourceFactory(unit=aw.unit_a, title="五月才有的礼堂", available_from=datetime.date(2026, 5, 1))
    ResourceFactory(unit=MemberUnitFactory(grid=world.community_a), title="不是成员的单位的场地")
    left = MemberUnitFactory(grid=world.community_a, name="已退出单位")
    join(aw.street_alliance, left, datetime.date(2024, 1, 1), left_on=datetime.date(2026, 1, 1))
    ResourceFactory(unit=left, title="退出单位的场地")
    ResourceFactory(unit=aw.unit_c, title="另一街道的场地")
    assert suggest(need, aw.world.street_staff) == []


def test_busy_resources_score_lower(aw, need):
    busy = ResourceFactory(unit=aw.unit_a, title="多功能厅", community=aw.world.community_a, quantity=2)
    for _ in range(4):
        ProjectFactory(
            community=aw.world.community_a, alliance=aw.committee_a, lead_unit=aw.unit_a, resource=busy
        )
    (suggestion,) = suggest(need, aw.world.street_staff)
    assert suggestion.score == 85
    assert dict(suggestion.reasons)["已用于 4 个进行中的项目"] == -15


def test_a_secretary_is_offered_only_resources_of_units_in_their_community(aw, need):
    ResourceFactory(unit=aw.unit_a, title="多功能厅")
    ResourceFactory(unit=aw.unit_s, title="职工之家")
    titles = [s.resource.title for s in suggest(need, aw.world.secretary_a)]
    assert titles == ["多功能厅"]


def test_staff_turn_a_match_into_a_project_in_one_step(aw, need):
    resource = ResourceFactory(unit=aw.unit_a, title="多功能厅")
    project = services.project_create_from_match(
        need=need, resource=resource, actor=aw.world.street_staff, budget=3000
    )
    need.refresh_from_db()
    assert need.status == Need.Status.MATCHED and need.matched_at is not None
    assert project.lead_unit == aw.unit_a
    assert project.community == aw.world.community_a
    assert project.alliance == aw.committee_a  # the unit is on the community's committee
    assert project.title == "老年食堂场地" and project.status == Project.Status.PLANNED
    assert [c.to_status for c in NeedStatusChange.objects.filter(need=need)] == ["matched"]
    assert ProjectStatusChange.objects.get(project=project).to_status == "planned"


def test_a_unit_only_in_the_street_alliance_runs_it_under_the_street_alliance(aw, need):
    resource = ResourceFactory(unit=aw.unit_s, title="职工之家")
    project = services.project_create_from_match(need=need, resource=resource, actor=aw.world.street_staff)
    assert project.alliance == aw.street_alliance


def test_a_need_that_is_not_open_cannot_be_matched_again(aw, need):
    resource = ResourceFactory(unit=aw.unit_a)
    services.project_create_from_match(need=need, resource=resource, actor=aw.world.street_staff)
    with pytest.raises(ValidationError, match="只有待匹配的需求可以立项"):
        services.project_create_from_match(need=need, resource=resource, actor=aw.world.street_staff)
    assert Project.objects.count() == 1


def test_the_need_page_shows_the_score_and_reasons(aw, need, login):
    ResourceFactory(unit=aw.unit_a, title="多功能厅", community=aw.world.community_a)
    page = login(aw.world.street_staff).get(reverse("alliances:need_detail", args=[need.pk])).content.decode()
    assert "多功能厅" in page and "服务本社区" in page and "用这项资源立项" in page


def test_matching_from_the_page_creates_the_project(aw, need, login):
    resource = ResourceFactory(unit=aw.unit_a, title="多功能厅")
    response = login(aw.world.street_staff).post(
        reverse("alliances:need_match", args=[need.pk]),
        {
            "resource": resource.pk,
            "title": "幸福食堂",
            "start_on": "2026-03-15",
            "end_on": "2026-04-30",
            "budget": "5000",
        },
    )
    project = Project.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "alliances:project_detail", args=[project.pk]
    )
    assert (project.title, str(project.budget), project.start_on) == (
        "幸福食堂",
        "5000.00",
        datetime.date(2026, 3, 15),
    )


def test_a_tampered_resource_is_refused_with_a_message(aw, need, login):
    ResourceFactory(unit=aw.unit_a, title="多功能厅")
    foreign = ResourceFactory(unit=aw.unit_c, title="另一街道的场地")
    response = login(aw.world.street_staff).post(
        reverse("alliances:need_match", args=[need.pk]), {"resource": foreign.pk, "title": "x"}
    )
    assert response.status_code == 400
    assert "不在建议之列" in response.content.decode()
    assert not Project.objects.exists()
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN


def test_dates_out_of_order_are_refused(aw, need, login):
    resource = ResourceFactory(unit=aw.unit_a)
    response = login(aw.world.street_staff).post(
        reverse("alliances:need_match", args=[need.pk]),
        {"resource": resource.pk, "start_on": "2026-05-01", "end_on": "2026-04-01"},
    )
    assert response.status_code == 400
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    "who, seen, status", [("liaison_a", 200, 403), ("other_staff", 404, 404), ("secretary_b", 404, 404)]
)
def test_who_may_not_match(aw, need, login, who, seen, status):
    resource = ResourceFactory(unit=aw.unit_a)
    user = getattr(aw, who, None) or getattr(aw.world, who)
    client = login(user)
    assert client.get(reverse("alliances:need_detail", args=[need.pk])).status_code == seen
    response = client.post(reverse("alliances:need_match", args=[need.pk]), {"resource": resource.pk})
    assert response.status_code == status
    assert not Project.objects.exists()


def test_closing_a_need_needs_a_reason_and_is_recorded(aw, need, login):
    client = login(aw.world.secretary_a)
    assert client.post(reverse("alliances:need_close", args=[need.pk]), {"reason": ""}).status_code == 400
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN
    client.post(reverse("alliances:need_close", args=[need.pk]), {"reason": "居民已自行解决"})
    need.refresh_from_db()
    assert need.status == Need.Status.CLOSED and need.close_reason == "居民已自行解决"
    assert NeedStatusChange.objects.filter(need=need, to_status="closed").exists()
