"""Every alliances page refuses those who may not use it."""

import datetime

import pytest
from django.urls import reverse

from alliances import services
from tests.factories import NeedFactory, ResourceFactory


@pytest.fixture
def objects(aw):
    services.chair_schedule_generate(alliance=aw.street_alliance, start=datetime.date(2026, 1, 1), months=3)
    resource = ResourceFactory(unit=aw.unit_a, title="教室")
    need = NeedFactory(community=aw.world.community_a)
    project = services.project_create_from_match(need=need, resource=resource, actor=aw.world.street_staff)
    meeting = services.meeting_schedule(
        alliance=aw.street_alliance,
        held_at=datetime.datetime(2026, 2, 12, 6, 30, tzinfo=datetime.UTC),
        agenda="议程",
        actor=aw.world.street_staff,
    )
    services.meeting_record(
        meeting=meeting,
        actor=aw.world.street_staff,
        minutes="纪要",
        attendance={u.pk: ("present", "") for u in (aw.unit_a, aw.unit_b, aw.unit_s)},
    )
    problem = services.problem_raise(
        meeting=meeting, actor=aw.world.street_staff, description="问题", owner_name="王"
    )
    return {
        "alliance": aw.street_alliance.pk,
        "unit": aw.unit_a.pk,
        "resource": resource.pk,
        "need": need.pk,
        "project": project.pk,
        "meeting": meeting.pk,
        "problem": problem.pk,
    }


# (url name, object kind, method)
PAGES = [
    ("alliance_detail", "alliance", "get"),
    ("chair_generate", "alliance", "post"),
    ("chair_swap", "alliance", "post"),
    ("covenant_sign", "alliance", "post"),
    ("meeting_new", "alliance", "get"),
    ("unit_detail", "unit", "get"),
    ("resource_new", "unit", "get"),
    ("resource_edit", "resource", "get"),
    ("resource_toggle", "resource", "post"),
    ("need_detail", "need", "get"),
    ("need_match", "need", "post"),
    ("need_close", "need", "post"),
    ("project_detail", "project", "get"),
    ("project_update_new", "project", "get"),
    ("project_status", "project", "post"),
    ("meeting_detail", "meeting", "get"),
    ("meeting_record", "meeting", "get"),
    ("meeting_cancel", "meeting", "post"),
    ("problem_new", "meeting", "post"),
    ("problem_follow_up", "problem", "post"),
]
LISTS = ["index", "need_list", "project_list", "my_unit"]


@pytest.mark.parametrize("name, kind, method", PAGES)
def test_signed_out_visitors_are_sent_to_sign_in(objects, client, name, kind, method):
    response = getattr(client, method)(reverse(f"alliances:{name}", args=[objects[kind]]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize("name", LISTS)
def test_lists_need_a_signed_in_staff_member_or_liaison(aw, client, login, name):
    url = reverse(f"alliances:{name}")
    assert client.get(url).status_code == 302
    assert login(aw.world.volunteer).get(url).status_code in (403, 404)
    assert login(aw.world.unscoped_staff).get(url).status_code in (403, 404)


@pytest.mark.parametrize("name, kind, method", PAGES)
@pytest.mark.parametrize("who", ["liaison_c", "other_staff", "volunteer"])
def test_outsiders_find_nothing(aw, objects, login, name, kind, method, who):
    client = login(getattr(aw, who, None) or getattr(aw.world, who))
    response = getattr(client, method)(reverse(f"alliances:{name}", args=[objects[kind]]))
    assert response.status_code in (403, 404)


# What a liaison of unit A may open, and what it may not do although it can see the object.
LIAISON_A = {
    "alliance_detail": 200,
    "chair_generate": 403,
    "chair_swap": 403,
    "meeting_new": 403,
    "unit_detail": 200,
    "resource_new": 200,
    "resource_edit": 200,
    "need_detail": 200,  # the needs of its alliances' areas, which it may offer to take
    "need_match": 403,
    "need_close": 403,
    "project_detail": 200,
    "project_update_new": 200,
    "project_status": 403,
    "meeting_detail": 200,
    "meeting_record": 403,
    "meeting_cancel": 403,
    "problem_new": 403,
    "problem_follow_up": 403,  # owned by a person, not by unit A
}


@pytest.mark.parametrize("name, kind, method", [p for p in PAGES if p[0] in LIAISON_A])
def test_what_a_liaison_may_and_may_not_do(aw, objects, login, name, kind, method):
    client = login(aw.liaison_a)
    response = getattr(client, method)(reverse(f"alliances:{name}", args=[objects[kind]]))
    assert response.status_code == LIAISON_A[name]


@pytest.mark.parametrize(
    "name, kind",
    [("alliance_detail", "alliance"), ("meeting_detail", "meeting"), ("meeting_new", "alliance")],
)
def test_a_secretary_does_not_reach_the_street_alliance(aw, objects, login, name, kind):
    # The street's alliance hangs on the street node, above a secretary's community.
    assert (
        login(aw.world.secretary_a).get(reverse(f"alliances:{name}", args=[objects[kind]])).status_code == 404
    )


def test_a_secretary_of_another_street_reaches_no_alliance_here(aw, objects, login):
    from portal.roles import Role
    from tests.factories import make_user

    secretary_c = make_user(Role.COMMUNITY_SECRETARY, aw.world.community_c, username="secretary_c")
    client = login(secretary_c)
    for pk in (aw.street_alliance.pk, aw.committee_a.pk):
        assert client.get(f"/alliances/{pk}/").status_code == 404
        assert (
            client.post(f"/alliances/{pk}/chairs/generate/", {"start": "2026-01", "months": "2"}).status_code
            == 404
        )
    assert client.get(f"/alliances/meetings/{objects['meeting']}/").status_code == 404
    assert client.get(f"/alliances/needs/{objects['need']}/").status_code == 404


JUNK = {
    "start": "x",
    "months": "-1",
    "first_month": "zzz",
    "second_month": "2026-02-30",
    "unit": "abc",
    "active": "maybe",
    "resource": "'; drop table",
    "budget": "很多",
    "start_on": "31/31/2026",
    "end_on": "昨天",
    "reason": "<script>x</script>" * 50,
    "to_status": "completed",
    "note": "x" * 5000,
    "text": "",
    "progress_percent": "一百",
    "minutes": "",
    "description": "",
    "owner_unit": "999999",
    "raised_by_unit": "-4",
    "due_on": "soon",
    "status": "done",
    "held_at": "tomorrow",
    "agenda": "",
    "kind": "gold",
    "title": "",
    "quantity": "1e99",
    "community": "x",
    "available_from": "nope",
}


@pytest.mark.parametrize(
    "name, kind, method",
    [p for p in PAGES if p[2] == "post"]
    + [
        ("meeting_new", "alliance", "post"),
        ("resource_new", "unit", "post"),
        ("resource_edit", "resource", "post"),
        ("project_update_new", "project", "post"),
        ("meeting_record", "meeting", "post"),
    ],
)
@pytest.mark.parametrize("who", ["street_staff", "liaison_a"])
def test_junk_input_never_breaks_a_page(aw, objects, login, name, kind, method, who):
    client = login(getattr(aw, who, None) or getattr(aw.world, who))
    response = client.post(reverse(f"alliances:{name}", args=[objects[kind]]), JUNK)
    assert response.status_code in (200, 302, 400, 403, 404)
