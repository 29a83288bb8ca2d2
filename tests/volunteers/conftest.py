"""A team in community A of street S, its leader and a member (both with logins), an open activity."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from portal.roles import Role
from tests.alliances.conftest import ctx  # noqa: F401 (a demo context, for the demo tests)
from tests.factories import (
    ActivityFactory,
    TeamMembershipFactory,
    VolunteerFactory,
    VolunteerTeamFactory,
    make_user,
)


@pytest.fixture
def crew(world):
    leader_user = make_user(Role.VOLUNTEER, username="leader", full_name="王队长")
    member_user = make_user(Role.VOLUNTEER, username="member", full_name="李志愿")
    leader = VolunteerFactory(
        user=leader_user, name="王队长", community=world.community_a, phone="13900000001"
    )
    member = VolunteerFactory(
        user=member_user,
        name="李志愿",
        community=world.community_a,
        phone="13900000002",
        id_number="11010519491231002X",
    )
    team = VolunteerTeamFactory(name="兰苑党员先锋队", community=world.community_a, leader=leader)
    TeamMembershipFactory(team=team, volunteer=leader)
    activity = ActivityFactory(team=team, title="走访慰问空巢老人", capacity=3)
    return SimpleNamespace(
        leader_user=leader_user,
        member_user=member_user,
        leader=leader,
        member=member,
        team=team,
        activity=activity,
    )


def running(activity, started_minutes_ago=30, hours=3):
    """Move an activity so that it started a while ago and is still on."""
    now = timezone.now()
    activity.starts_at = now - datetime.timedelta(minutes=started_minutes_ago)
    activity.ends_at = activity.starts_at + datetime.timedelta(hours=hours)
    activity.signup_opens_at = activity.starts_at - datetime.timedelta(days=3)
    activity.signup_closes_at = activity.starts_at
    activity.save()
    return activity


def finished(activity, hours=3):
    """Move an activity into yesterday."""
    activity.starts_at = timezone.now() - datetime.timedelta(days=1)
    activity.ends_at = activity.starts_at + datetime.timedelta(hours=hours)
    activity.signup_opens_at = activity.starts_at - datetime.timedelta(days=3)
    activity.signup_closes_at = activity.starts_at
    activity.save()
    return activity
