import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tests.factories import ActivityFactory, CommunityFactory, VolunteerFactory, VolunteerTeamFactory
from tests.volunteers.conftest import running
from volunteers.models import Activity, SignUp
from volunteers.services import signup_cancel, signup_create


def _refresh(activity):
    return Activity.objects.get(pk=activity.pk)


def test_a_volunteer_signs_up_and_the_place_is_counted(crew):
    signup_create(activity=crew.activity, volunteer=crew.member)
    assert SignUp.objects.get().status == SignUp.Status.ACTIVE
    assert _refresh(crew.activity).signed_up_count == 1


def test_it_refuses_a_full_activity(crew, world):
    for _ in range(3):
        signup_create(activity=crew.activity, volunteer=VolunteerFactory(community=world.community_b))
    with pytest.raises(ValidationError, match="名额已满"):
        signup_create(activity=crew.activity, volunteer=crew.member)
    assert _refresh(crew.activity).signed_up_count == 3
    assert not SignUp.objects.filter(volunteer=crew.member).exists()


def test_it_refuses_twice(crew):
    signup_create(activity=crew.activity, volunteer=crew.member)
    with pytest.raises(ValidationError, match="已报名"):
        signup_create(activity=crew.activity, volunteer=crew.member)
    assert _refresh(crew.activity).signed_up_count == 1


def test_it_refuses_before_the_window_opens_and_after_it_closes(crew):
    activity = crew.activity
    activity.signup_opens_at = timezone.now() + datetime.timedelta(hours=1)
    activity.save()
    with pytest.raises(ValidationError, match="报名将于"):
        signup_create(activity=activity, volunteer=crew.member)
    activity.signup_opens_at = timezone.now() - datetime.timedelta(days=2)
    activity.signup_closes_at = timezone.now() - datetime.timedelta(minutes=1)
    activity.save()
    with pytest.raises(ValidationError, match="报名已截止"):
        signup_create(activity=activity, volunteer=crew.member)
    assert not SignUp.objects.exists()


def test_it_refuses_a_cancelled_activity(crew):
    Activity.objects.filter(pk=crew.activity.pk).update(status=Activity.Status.CANCELLED)
    with pytest.raises(ValidationError, match="已取消"):
        signup_create(activity=crew.activity, volunteer=crew.member)


def test_members_only_activities_refuse_outsiders(crew):
    Activity.objects.filter(pk=crew.activity.pk).update(members_only=True)
    with pytest.raises(ValidationError, match="仅限"):
        signup_create(activity=crew.activity, volunteer=crew.member)
    signup_create(activity=crew.activity, volunteer=crew.leader)  # a member


def test_it_refuses_an_activity_of_another_street(crew, world):
    elsewhere = ActivityFactory(team=VolunteerTeamFactory(community=world.community_c))
    with pytest.raises(PermissionDenied):
        signup_create(activity=elsewhere, volunteer=crew.member)


def test_it_refuses_two_activities_at_the_same_time(crew):
    other = ActivityFactory(team=crew.team, starts_at=crew.activity.starts_at + datetime.timedelta(hours=1))
    signup_create(activity=crew.activity, volunteer=crew.member)
    with pytest.raises(ValidationError, match="同一时段"):
        signup_create(activity=other, volunteer=crew.member)


def test_cancelling_frees_the_place_and_signing_up_again_reuses_the_row(crew):
    signup_create(activity=crew.activity, volunteer=crew.member)
    signup_cancel(activity=crew.activity, volunteer=crew.member)
    assert _refresh(crew.activity).signed_up_count == 0
    signup_create(activity=crew.activity, volunteer=crew.member)
    assert SignUp.objects.count() == 1
    assert _refresh(crew.activity).signed_up_count == 1


def test_it_refuses_to_cancel_after_the_start(crew):
    signup_create(activity=crew.activity, volunteer=crew.member)
    running(crew.activity)
    with pytest.raises(ValidationError, match="活动已开始"):
        signup_cancel(activity=crew.activity, volunteer=crew.member)
    assert _refresh(crew.activity).signed_up_count == 1


def test_the_database_refuses_more_sign_ups_than_places(crew):
    # The backstop behind the row lock: a code path that forgot the lock
    # still cannot store a count above the capacity.
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=crew.activity.pk).update(signed_up_count=4)


def test_capacity_cannot_be_set_below_the_sign_ups(crew, world):
    for _ in range(2):
        signup_create(activity=crew.activity, volunteer=VolunteerFactory(community=world.community_b))
    activity = _refresh(crew.activity)
    activity.capacity = 1
    with pytest.raises(ValidationError, match="不能少于已报名人数"):
        activity.full_clean()


# --- the pages --------------------------------------------------------------------------------


def test_the_phone_page_signs_up_and_cancels(crew, login):
    client = login(crew.member_user)
    page = client.get(reverse("volunteers:activity_detail", args=[crew.activity.pk]))
    assert "我要报名" in page.content.decode()
    response = client.post(reverse("volunteers:activity_signup", args=[crew.activity.pk]), follow=True)
    assert "报名成功" in response.content.decode()
    response = client.post(reverse("volunteers:activity_withdraw", args=[crew.activity.pk]), follow=True)
    assert "已取消报名" in response.content.decode()
    assert _refresh(crew.activity).signed_up_count == 0


def test_the_page_explains_a_refusal_and_changes_nothing(crew, login, world):
    for _ in range(3):
        signup_create(activity=crew.activity, volunteer=VolunteerFactory(community=world.community_b))
    response = login(crew.member_user).post(
        reverse("volunteers:activity_signup", args=[crew.activity.pk]), follow=True
    )
    assert response.status_code == 200
    assert "名额已满" in response.content.decode()
    assert not SignUp.objects.filter(volunteer=crew.member).exists()


def test_a_volunteer_of_another_street_gets_404(crew, login, world):
    from portal.roles import Role
    from tests.factories import make_user

    outsider = make_user(Role.VOLUNTEER, username="outsider")
    VolunteerFactory(user=outsider, community=world.community_c)
    client = login(outsider)
    assert client.get(reverse("volunteers:activity_detail", args=[crew.activity.pk])).status_code == 404
    assert client.post(reverse("volunteers:activity_signup", args=[crew.activity.pk])).status_code == 404
    assert not SignUp.objects.exists()


def test_the_list_shows_only_the_volunteers_street(crew, login, world):
    ActivityFactory(team=VolunteerTeamFactory(community=world.community_c), title="别处的活动")
    ActivityFactory(team=VolunteerTeamFactory(community=world.community_b), title="邻居社区的活动")
    html = login(crew.member_user).get(reverse("volunteers:activity_list")).content.decode()
    assert "走访慰问空巢老人" in html and "邻居社区的活动" in html
    assert "别处的活动" not in html


def test_a_login_without_a_volunteer_record_is_told_to_register(crew, login, world):
    response = login(world.volunteer).post(reverse("volunteers:activity_signup", args=[crew.activity.pk]))
    # world.volunteer has no Volunteer record and no street: the activity is not even visible.
    assert response.status_code == 404
    VolunteerFactory(community=CommunityFactory())  # unrelated
    assert not SignUp.objects.exists()


def test_signing_up_needs_a_login(crew, client):
    response = client.post(reverse("volunteers:activity_signup", args=[crew.activity.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_saving_a_stale_copy_of_the_activity_keeps_the_sign_up_count(crew):
    stale = Activity.objects.get(pk=crew.activity.pk)
    signup_create(activity=crew.activity, volunteer=crew.member)
    stale.title = "改个名字"
    stale.save()
    assert _refresh(crew.activity).signed_up_count == 1
