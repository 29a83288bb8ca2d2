"""The organiser's "add a person" box and the service-record PDFs: no names for numbers, and limits.

A team leader adds someone who served without signing up by their volunteer
number or phone; the answer must not turn any number of the street into a
full name, and trying numbers is rate-limited. Service-record PDFs cost
seconds each and are limited per person.
"""

import pytest
from django.urls import reverse

from tests.factories import TeamMembershipFactory, VolunteerFactory
from tests.volunteers.conftest import finished
from volunteers.models import ServiceRecord, SignUp


def _add(client, activity, who):
    return client.post(
        reverse("volunteers:attendance_add", args=[activity.pk]),
        {"who": who, "hours": "2", "note": "现场帮忙"},
        follow=True,
    )


@pytest.fixture
def done(crew):
    finished(crew.activity)
    return crew


def test_a_leader_cannot_turn_a_street_phone_into_a_name(login, world, done):
    stranger = VolunteerFactory(community=world.community_b, name="金港陌生人", phone="13955556666")
    response = _add(login(done.leader_user), done.activity, "139 5555 6666")
    page = response.content.decode()
    assert "金港陌生人" not in page
    assert "报名者中没有" in page
    assert not ServiceRecord.objects.filter(volunteer=stranger).exists()
    stranger_number = VolunteerFactory(community=world.community_a, name="同社区陌生人", number="ZY00000777")
    response = _add(login(done.leader_user), done.activity, "ZY00000777")
    assert "同社区陌生人" not in response.content.decode()
    assert not ServiceRecord.objects.filter(volunteer=stranger_number).exists()


def test_a_leader_adds_team_members_and_people_who_signed_up(login, world, done):
    client = login(done.leader_user)
    TeamMembershipFactory(team=done.team, volunteer=done.member)
    assert "已为 李志愿 补录服务记录" in _add(client, done.activity, "13900000002").content.decode()
    walk_in = VolunteerFactory(community=world.community_b, name="报名的人", phone="13977778888")
    SignUp.objects.create(activity=done.activity, volunteer=walk_in)
    assert (
        "已为 报名的人 补录服务记录" in _add(client, done.activity, "１３９７７７７８８８８").content.decode()
    )
    assert ServiceRecord.objects.filter(activity=done.activity).count() == 2


def test_staff_add_the_volunteers_of_their_scope_only(login, world, done):
    neighbour = VolunteerFactory(community=world.community_a, name="兰苑居民", phone="13911110000")
    elsewhere = VolunteerFactory(community=world.community_b, name="金港居民", phone="13922220000")
    client = login(world.secretary_a)
    assert "已为 兰苑居民" in _add(client, done.activity, neighbour.phone).content.decode()
    assert "金港居民" not in _add(client, done.activity, elsewhere.phone).content.decode()
    assert not ServiceRecord.objects.filter(volunteer=elsewhere).exists()


def test_trying_numbers_is_rate_limited(login, world, done):
    client = login(done.leader_user)
    url = reverse("volunteers:attendance_add", args=[done.activity.pk])
    answers = [
        client.post(url, {"who": f"139{n:08d}", "hours": "1", "note": "试"}).status_code for n in range(31)
    ]
    assert answers[:30] == [302] * 30
    assert answers[30] == 429


def test_service_record_pdfs_are_limited_per_person(login, crew, settings):
    settings.VOLUNTEER_STATEMENTS_PER_HOUR = 2
    client = login(crew.member_user)
    url = reverse("volunteers:my_statement")
    bad_period = {"date_from": "2026-05-01", "date_to": "2026-01-01"}
    assert [client.post(url, bad_period).status_code for _ in range(2)] == [400, 400]
    assert client.post(url, bad_period).status_code == 429
    # Someone else still has their own allowance.
    assert login(crew.leader_user).post(url, bad_period).status_code == 400
