import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.factories import VolunteerFactory, VolunteerTeamFactory
from volunteers.models import TeamMembership
from volunteers.services import team_decide, team_join, team_leave


def test_a_volunteer_applies_and_the_leader_approves(crew):
    membership = team_join(team=crew.team, volunteer=crew.member)
    assert membership.status == TeamMembership.Status.PENDING
    team_decide(membership=membership, user=crew.leader_user, approve=True)
    membership.refresh_from_db()
    assert membership.status == TeamMembership.Status.ACTIVE and membership.decided_by == crew.leader_user


def test_it_refuses_to_apply_twice_or_to_join_again(crew):
    membership = team_join(team=crew.team, volunteer=crew.member)
    with pytest.raises(ValidationError, match="等待队长审核"):
        team_join(team=crew.team, volunteer=crew.member)
    team_decide(membership=membership, user=crew.leader_user, approve=True)
    with pytest.raises(ValidationError, match="已是"):
        team_join(team=crew.team, volunteer=crew.member)
    assert TeamMembership.objects.filter(volunteer=crew.member).count() == 1


def test_a_team_not_recruiting_refuses_applications(crew):
    crew.team.recruiting = False
    crew.team.save()
    with pytest.raises(ValidationError, match="暂不招募"):
        team_join(team=crew.team, volunteer=crew.member)


def test_only_the_leader_or_staff_in_scope_decide(crew, world):
    membership = team_join(team=crew.team, volunteer=crew.member)
    other = VolunteerFactory(community=world.community_a)
    with pytest.raises(PermissionDenied):
        team_decide(membership=membership, user=world.secretary_b, approve=True)
    with pytest.raises(PermissionDenied):
        team_decide(membership=membership, user=crew.member_user, approve=True)
    team_decide(membership=membership, user=world.secretary_a, approve=False)
    membership.refresh_from_db()
    assert membership.status == TeamMembership.Status.REJECTED
    with pytest.raises(ValidationError, match="已经处理过"):
        team_decide(membership=membership, user=world.secretary_a, approve=True)
    assert other.memberships.count() == 0


def test_leaving_and_coming_back(crew):
    team_decide(
        membership=team_join(team=crew.team, volunteer=crew.member), user=crew.leader_user, approve=True
    )
    team_leave(team=crew.team, volunteer=crew.member)
    assert TeamMembership.objects.get(volunteer=crew.member).status == TeamMembership.Status.LEFT
    assert team_join(team=crew.team, volunteer=crew.member).status == TeamMembership.Status.PENDING


def test_the_leader_cannot_leave_their_own_team(crew):
    with pytest.raises(ValidationError, match="队长不能退出"):
        team_leave(team=crew.team, volunteer=crew.leader)


def test_a_team_of_another_street_is_out_of_reach(crew, world, login):
    far = VolunteerTeamFactory(community=world.community_c)
    with pytest.raises(PermissionDenied):
        team_join(team=far, volunteer=crew.member)
    client = login(crew.member_user)
    assert client.get(reverse("volunteers:team_detail", args=[far.pk])).status_code == 404
    assert client.post(reverse("volunteers:team_join", args=[far.pk])).status_code == 404


def test_the_team_pages_join_and_approve(crew, login):
    client = login(crew.member_user)
    assert "兰苑党员先锋队" in client.get(reverse("volunteers:team_list")).content.decode()
    response = client.post(reverse("volunteers:team_join", args=[crew.team.pk]), follow=True)
    assert "已提交入队申请" in response.content.decode()
    membership = TeamMembership.objects.get(volunteer=crew.member)
    # The applicant cannot approve themself: the decision URL is not theirs.
    url = reverse("volunteers:membership_decide", args=[membership.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 404
    leader = login(crew.leader_user)
    assert (
        "待审核的申请（1）"
        in leader.get(reverse("volunteers:team_detail", args=[crew.team.pk])).content.decode()
    )
    leader.post(url, {"decision": "approve"})
    membership.refresh_from_db()
    assert membership.status == TeamMembership.Status.ACTIVE
