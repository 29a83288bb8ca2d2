import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import VolunteerTeamFactory
from tests.volunteers.conftest import finished
from volunteers.models import Activity
from volunteers.services import activity_cancel, activity_update, signup_create


def _form(crew, **overrides):
    start = timezone.localtime() + datetime.timedelta(days=2)
    data = {
        "title": "垃圾分类督导",
        "team": crew.team.pk,
        "community": crew.team.community.pk,
        "place": "兰苑社区红色驿站",
        "category": "environment",
        "content": "在投放点指导居民分类。",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "12",
    }
    data.update(overrides)
    return data


def test_a_leader_publishes_an_activity_from_the_phone_form(crew, login):
    client = login(crew.leader_user)
    assert client.get(reverse("volunteers:activity_new")).status_code == 200
    response = client.post(reverse("volunteers:activity_new"), _form(crew))
    activity = Activity.objects.get(title="垃圾分类督导")
    assert response.status_code == 302 and response["Location"].endswith(f"/organise/{activity.pk}/")
    assert activity.created_by == crew.leader_user and activity.capacity == 12
    assert activity.signup_closes_at == activity.starts_at  # closes at the start when left empty


def test_bad_times_are_explained_and_nothing_is_published(crew, login):
    data = _form(crew)
    data["ends_at"] = data["starts_at"]
    response = login(crew.leader_user).post(reverse("volunteers:activity_new"), data)
    assert response.status_code == 400 and "结束时间必须晚于开始时间" in response.content.decode()
    assert not Activity.objects.filter(title="垃圾分类督导").exists()


def test_a_leader_cannot_publish_for_another_team(crew, login, world):
    other = VolunteerTeamFactory(community=world.community_a)
    response = login(crew.leader_user).post(reverse("volunteers:activity_new"), _form(crew, team=other.pk))
    assert response.status_code == 400 and "您不能为这支服务队发布活动" in response.content.decode()
    assert not Activity.objects.filter(title="垃圾分类督导").exists()


def test_a_secretary_cannot_place_an_activity_outside_their_community(crew, login, world):
    response = login(world.secretary_a).post(
        reverse("volunteers:activity_new"), _form(crew, community=world.community_b.pk)
    )
    assert response.status_code == 400 and "不在您可以发布活动的范围内" in response.content.decode()


def test_a_volunteer_who_leads_no_team_cannot_publish(crew, login):
    client = login(crew.member_user)
    assert client.get(reverse("volunteers:activity_new")).status_code == 403
    assert client.post(reverse("volunteers:activity_new"), _form(crew)).status_code == 403
    assert client.get(reverse("volunteers:organise_list")).status_code == 403


def test_an_activity_that_is_over_cannot_be_edited(crew):
    finished(crew.activity)
    with pytest.raises(ValidationError, match="活动已结束"):
        activity_update(activity=crew.activity, user=crew.leader_user, title="改名")


def test_an_activity_is_cancelled_once_and_then_refuses_sign_ups(crew, world):
    activity_cancel(activity=crew.activity, user=crew.leader_user)
    with pytest.raises(ValidationError, match="已经取消"):
        activity_cancel(activity=crew.activity, user=crew.leader_user)
    with pytest.raises(ValidationError, match="已取消"):
        signup_create(activity=crew.activity, volunteer=crew.member)


def test_the_edit_page_saves_changes_and_explains_a_capacity_below_the_sign_ups(crew, login, world):
    from tests.factories import VolunteerFactory

    for _ in range(2):
        signup_create(activity=crew.activity, volunteer=VolunteerFactory(community=world.community_a))
    client = login(crew.leader_user)
    data = _form(crew, title="走访慰问空巢老人（改）", capacity="1")
    response = client.post(reverse("volunteers:activity_edit", args=[crew.activity.pk]), data)
    assert response.status_code == 400 and "不能少于已报名人数" in response.content.decode()
    data["capacity"] = "5"
    assert client.post(reverse("volunteers:activity_edit", args=[crew.activity.pk]), data).status_code == 302
    crew.activity.refresh_from_db()
    assert crew.activity.title == "走访慰问空巢老人（改）" and crew.activity.signed_up_count == 2
