"""Deliberation: a resident's topic, vetting, a session with one vote per household, resolutions, the notice."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from deliberation import services
from deliberation.models import Resolution, Session, Topic, Vote, VoteCode
from portal.roles import Role
from tests.factories import HouseholdFactory, case_category_in, first_grid, make_user


@pytest.fixture
def flow(world):
    for name in ("community_a", "community_b", "grid_a", "street"):
        getattr(world, name).refresh_from_db()
    world.category = case_category_in(world.street, "公共设施")
    world.neighbour = HouseholdFactory(building=world.building_a, room="102")
    return world


def _raise(client, world, **data):
    values = {
        "title": "3号楼加装电梯",
        "description": "楼里老人多，上下楼困难，想一起商量加装电梯。",
        "phone": "13912345678",
        "name": "张阿姨",
    }
    return client.post(reverse("deliberation:topic_new") + f"?grid={world.grid_a.code}", {**values, **data})


def _accepted(world):
    topic = services.topic_raise_resident(
        grid=world.grid_a,
        title="3号楼加装电梯",
        description="楼里老人多，上下楼困难，想一起商量。",
        phone="13912345678",
    )
    return services.topic_vet(by=world.secretary_a, topic=topic, accept=True, reason="涉及全楼住户，纳入议事")


def _session(world, topic, question="是否同意加装电梯"):
    return services.session_hold(
        by=world.secretary_a,
        topic=topic,
        kind=Session.Kind.COUNCIL,
        held_at=timezone.now(),
        place="兰苑社区议事厅",
        record="居民代表和楼栋长讨论了费用分摊和施工时间。",
        vote_question=question,
        representatives=5,
        building_leaders=2,
    )


def test_a_resident_raises_a_topic_and_bad_input_changes_nothing(client, flow):
    bad = _raise(client, flow, title="<b>x</b>", description="=cmd|' /C calc'!A0", phone="123")
    assert bad.status_code == 400
    assert Topic.objects.count() == 0
    body = bad.content.decode()
    assert "至少写 4 个字" in body and "具体情况至少 10 个字" not in body or "手机号" in body
    response = _raise(client, flow)
    assert response.status_code == 302
    topic = Topic.objects.get()
    assert topic.status == Topic.Status.SUBMITTED and topic.community == flow.community_a
    page = client.get(reverse("deliberation:topic_submitted")).content.decode()
    assert topic.code in page
    track = client.get(reverse("deliberation:topic_track", args=[topic.code])).content.decode()
    assert "等待兰苑社区党组织审核" in track


def test_only_the_communitys_staff_vet_and_a_reason_is_required(flow):
    topic = services.topic_raise_resident(
        grid=flow.grid_a, title="小区停车难", description="晚上车位不够，消防通道被占。", phone="13912345678"
    )
    with pytest.raises(PermissionDenied):
        services.topic_vet(by=flow.secretary_b, topic=topic, accept=True, reason="受理")
    with pytest.raises(ValidationError):
        services.topic_vet(by=flow.secretary_a, topic=topic, accept=True, reason=" ")
    services.topic_vet(by=flow.secretary_a, topic=topic, accept=False, reason="属物业合同纠纷，已转物业")
    topic.refresh_from_db()
    assert topic.status == Topic.Status.DECLINED
    with pytest.raises(ValidationError, match="已经审核过"):
        services.topic_vet(by=flow.secretary_a, topic=topic, accept=True, reason="改为受理")


def test_a_household_votes_once_at_the_session_or_with_its_code(flow):
    topic = _accepted(flow)
    session = _session(flow, topic)
    services.vote_record(by=flow.secretary_a, session=session, household=flow.household_a, choice="yes")
    with pytest.raises(ValidationError, match="已经投过票"):
        services.vote_record(by=flow.secretary_a, session=session, household=flow.household_a, choice="no")
    with pytest.raises(ValidationError, match="不在本社区"):
        services.vote_record(by=flow.secretary_a, session=session, household=flow.household_b, choice="yes")

    issued = dict(
        services.vote_codes_issue(
            by=flow.secretary_a, session=session, households=[flow.household_a, flow.neighbour]
        )
    )
    assert list(issued) == [flow.neighbour]  # the household that voted gets no code
    code = issued[flow.neighbour]
    assert not VoteCode.objects.filter(digest__contains=code).exists()  # only a keyed hash is kept
    services.vote_with_code(code=code.lower(), choice="no")
    with pytest.raises(ValidationError, match="已经用过"):
        services.vote_with_code(code=code, choice="yes")
    with pytest.raises(ValidationError, match="投票码不对"):
        services.vote_with_code(code="WRONG123", choice="yes")
    assert Vote.objects.filter(session=session).count() == 2

    services.session_close_vote(by=flow.secretary_a, session=session)
    with pytest.raises(ValidationError, match="表决已经结束"):
        services.vote_record(by=flow.secretary_a, session=session, household=flow.neighbour, choice="yes")


def test_resolutions_have_an_owner_in_the_community_and_close_the_topic_when_done(flow):
    topic = _accepted(flow)
    session = _session(flow, topic, question="")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="负责人"):
        services.resolution_add(
            by=flow.secretary_a, topic=topic, text="联系电梯公司", owner=flow.secretary_b, due_date=tomorrow
        )
    with pytest.raises(ValidationError, match="完成期限"):
        services.resolution_add(
            by=flow.secretary_a,
            topic=topic,
            text="联系电梯公司",
            owner=flow.gridworker_a,
            due_date=timezone.localdate() - datetime.timedelta(days=1),
        )
    resolution = services.resolution_add(
        by=flow.secretary_a,
        topic=topic,
        session=session,
        text="联系电梯公司上门测量",
        owner=flow.gridworker_a,
        due_date=tomorrow,
    )
    topic.refresh_from_db()
    assert topic.status == Topic.Status.RESOLVED
    with pytest.raises(PermissionDenied):
        services.resolution_progress(by=flow.secretary_b, resolution=resolution, progress="已联系")
    case = services.resolution_open_case(by=flow.gridworker_a, resolution=resolution, category=flow.category)
    assert case.community_id == flow.community_a.pk and "联系电梯公司上门测量" in case.description
    services.resolution_progress(
        by=flow.gridworker_a, resolution=resolution, progress="测量完成，方案已公示", done=True
    )
    topic.refresh_from_db()
    assert topic.status == Topic.Status.DONE
    assert Resolution.objects.get().done_at is not None


def test_the_notice_shows_progress_without_personal_data(client, flow):
    topic = _accepted(flow)
    session = _session(flow, topic)
    services.vote_record(by=flow.secretary_a, session=session, household=flow.household_a, choice="yes")
    services.resolution_add(
        by=flow.secretary_a,
        topic=topic,
        text="联系电梯公司上门测量",
        owner=flow.gridworker_a,
        due_date=timezone.localdate() + datetime.timedelta(days=10),
    )
    hidden = services.topic_raise_resident(
        grid=flow.grid_a,
        title="邻里噪音纠纷",
        description="楼上夜里装修，影响休息。",
        phone="13800001111",
        name="李某某",
    )
    page = client.get(reverse("deliberation:notice", args=[flow.community_a.code])).content.decode()
    assert "3号楼加装电梯" in page and "联系电梯公司上门测量" in page and "同意 1 户" in page
    assert hidden.title not in page  # not vetted yet
    for personal in (
        "13912345678",
        "13800001111",
        "李某某",
        flow.household_a.head_name,
        flow.gridworker_a.username,
    ):
        assert personal not in page


def test_staff_of_another_community_get_404_and_the_pages_work_for_the_secretary(flow, login):
    topic = _accepted(flow)
    url = reverse("deliberation:topic_detail", args=[topic.pk])
    assert login(flow.secretary_b).get(url).status_code == 404
    client = login(flow.secretary_a)
    assert client.get(url).status_code == 200
    session = _session(flow, topic)
    bad = client.post(
        reverse("deliberation:session_vote", args=[session.pk]), {"address": "99-9-999", "choice": "yes"}
    )
    assert bad.status_code == 400 and "本社区没有 99-9-999 这户" in bad.content.decode()
    ok = client.post(
        reverse("deliberation:session_vote", args=[session.pk]),
        {"grid": flow.grid_a.pk, "address": "1-1-101", "choice": "yes"},
    )
    assert ok.status_code == 302
    again = client.post(
        reverse("deliberation:session_vote", args=[session.pk]),
        {"grid": flow.grid_a.pk, "address": "1-1-101", "choice": "no"},
    )
    assert again.status_code == 302  # told at the top of the matter's page
    assert "已经投过票" in client.get(again.url).content.decode()
    codes = client.post(reverse("deliberation:session_codes", args=[session.pk]))
    assert codes.status_code == 200 and "1号楼" in codes.content.decode()
    assert (
        login(flow.secretary_b).post(reverse("deliberation:session_codes", args=[session.pk])).status_code
        == 404
    )


def test_a_grid_worker_raises_a_topic_signed_in_and_owns_a_resolution_on_their_page(flow, login):
    client = login(flow.gridworker_a)
    response = _raise(client, flow, phone="", name="")
    assert response.status_code == 302
    topic = Topic.objects.get()
    assert topic.source == Topic.Source.GRID_WORKER and topic.raised_by_id == flow.gridworker_a.pk
    services.topic_vet(by=flow.secretary_a, topic=topic, accept=True, reason="纳入议事")
    resolution = services.resolution_add(
        by=flow.secretary_a,
        topic=topic,
        text="清理楼道堆物",
        owner=flow.gridworker_a,
        due_date=timezone.localdate() + datetime.timedelta(days=3),
    )
    client = login(flow.gridworker_a)
    todo = client.get(reverse("inbox:todo")).content.decode()
    assert "清理楼道堆物" in todo
    page = client.get(reverse("deliberation:my_resolutions")).content.decode()
    assert "清理楼道堆物" in page
    done = client.post(
        reverse("deliberation:resolution_progress", args=[resolution.pk]),
        {"progress": "已清理完毕", "done": "on"},
    )
    assert done.status_code == 302
    resolution.refresh_from_db()
    assert resolution.status == Resolution.Status.DONE
    other = make_user(Role.GRID_WORKER, flow.grid_b, username="gw_b")
    assert (
        login(other)
        .post(reverse("deliberation:resolution_progress", args=[resolution.pk]), {"progress": "x"})
        .status_code
        == 404
    )


def test_staff_record_a_session_and_a_resolution_in_the_admin(flow, login):
    topic = _accepted(flow)
    client = login(flow.secretary_a)
    data = {
        "topic": topic.pk,
        "kind": Session.Kind.YARD,
        "held_at_0": timezone.localdate().isoformat(),
        "held_at_1": "19:30",
        "place": "3号楼前空地",
        "representatives": "4",
        "building_leaders": "1",
        "party_members": "2",
        "unit_liaisons": "0",
        "deputies": "0",
        "record": "坝坝会上大家同意先做测量。",
        "vote_question": "",
    }
    response = client.post(reverse("admin:deliberation_session_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    session = Session.objects.get()
    assert session.community_id == flow.community_a.pk and session.created_by_id == flow.secretary_a.pk
    short = client.post(reverse("admin:deliberation_session_add"), {**data, "record": "短"})
    assert short.status_code == 200 and Session.objects.count() == 1
    response = client.post(
        reverse("admin:deliberation_resolution_add"),
        {
            "topic": topic.pk,
            "session": session.pk,
            "text": "联系电梯公司上门测量",
            "owner": flow.gridworker_a.pk,
            "due_date": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Resolution.objects.get().owner_id == flow.gridworker_a.pk
    assert first_grid(flow.community_a) == flow.grid_a


def test_what_attackers_tried_gets_a_message_and_changes_nothing(flow, login):
    topic = _accepted(flow)
    session = _session(flow, topic)
    client = login(flow.secretary_a)
    # A tampered grid on the ballot form: a message, not a 500.
    for grid in ("abc", "9" * 25):
        response = client.post(
            reverse("deliberation:session_vote", args=[session.pk]),
            {"grid": grid, "address": "1-1-101", "choice": "yes"},
        )
        assert response.status_code in (302, 400)
    # A full-width address and code, as a Chinese input method types them.
    Vote.objects.all().delete()
    response = client.post(
        reverse("deliberation:session_vote", args=[session.pk]),
        {"grid": flow.grid_a.pk, "address": "１-１-１０２", "choice": "yes"},
    )
    assert response.status_code == 302 and Vote.objects.get().household == flow.neighbour
    code = dict(
        services.vote_codes_issue(by=flow.secretary_a, session=session, households=[flow.household_a])
    )[flow.household_a]
    full_width = code.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    services.vote_with_code(code=full_width, choice="no")
    assert Vote.objects.count() == 2
    # A session's record shortened in the admin: the form says so.
    change = reverse("admin:deliberation_session_change", args=[session.pk])
    data = {
        "place": session.place,
        "representatives": "5",
        "building_leaders": "2",
        "party_members": "0",
        "unit_liaisons": "0",
        "deputies": "0",
        "record": "短",
    }
    response = client.post(change, data)
    assert response.status_code == 200 and "会议纪要" in response.content.decode()
    session.refresh_from_db()
    assert session.record.startswith("居民代表")
    # A session in the future, a resolution due in ten years.
    with pytest.raises(ValidationError, match="不能晚于明天"):
        services.session_hold(
            by=flow.secretary_a,
            topic=topic,
            kind=Session.Kind.YARD,
            held_at=timezone.now() + datetime.timedelta(days=30),
            place="x",
            record="提前登记的议事会纪要。",
        )
    with pytest.raises(ValidationError, match="三年以后"):
        services.resolution_add(
            by=flow.secretary_a,
            topic=topic,
            text="很久以后",
            owner=flow.gridworker_a,
            due_date=timezone.localdate() + datetime.timedelta(days=3650),
        )
    # A tampered owner id in the admin's autocomplete box: the form, not a 500.
    response = client.post(
        reverse("admin:deliberation_resolution_add"),
        {
            "topic": topic.pk,
            "text": "联系电梯公司",
            "owner": "abc",
            "due_date": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200 and Resolution.objects.count() == 0


def test_numbers_written_into_progress_are_masked_on_the_public_pages(client, flow):
    topic = _accepted(flow)
    resolution = services.resolution_add(
        by=flow.secretary_a,
        topic=topic,
        text="联系户主 13812345678",
        owner=flow.gridworker_a,
        due_date=timezone.localdate() + datetime.timedelta(days=5),
    )
    services.resolution_progress(
        by=flow.gridworker_a, resolution=resolution, progress="身份证110101199003071234已核对"
    )
    for url in (
        reverse("deliberation:notice", args=[flow.community_a.code]),
        reverse("deliberation:topic_track", args=[topic.code]),
    ):
        page = client.get(url).content.decode()
        assert "13812345678" not in page and "110101199003071234" not in page
        assert "138****5678" in page
