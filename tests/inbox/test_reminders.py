"""Reminders by beat: each person once per thing."""

import datetime

from django.utils import timezone

from inbox import tasks
from inbox.models import Kind, Notification
from tests.factories import ActivityFactory
from volunteers import services as volunteer_services
from wishes import services
from wishes.models import Wish


def _at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def test_volunteers_are_reminded_the_day_before_an_activity_once(world, people, daytime):
    today = timezone.localdate()
    tomorrow = ActivityFactory(
        team=people.team,
        community=world.community_a,
        starts_at=_at(today + datetime.timedelta(days=1), 9),
        title="重阳节敬老",
    )
    later = ActivityFactory(
        team=people.team, community=world.community_a, starts_at=_at(today + datetime.timedelta(days=3), 9)
    )
    cancelled = ActivityFactory(
        team=people.team, community=world.community_a, starts_at=_at(today + datetime.timedelta(days=1), 14)
    )
    for activity in (tomorrow, later, cancelled):
        volunteer_services.signup_create(activity=activity, volunteer=people.volunteer)
    volunteer_services.activity_cancel(activity=cancelled, user=people.leader_user)
    assert tasks.remind_activities.delay().get() == 1
    assert tasks.remind_activities.delay().get() == 0
    reminder = Notification.objects.get(kind=Kind.ACTIVITY_REMINDER)
    assert reminder.recipient == people.volunteer_user
    assert "重阳节敬老" in reminder.body and "09:00" in reminder.body and "红色驿站" in reminder.body


def test_claimants_are_reminded_near_the_wished_date_once(world, people, published, daytime):
    Wish.objects.filter(pk=published.pk).update(wanted_by=timezone.localdate() + datetime.timedelta(days=2))
    published.refresh_from_db()
    claim = services.wish_claim(wish=published, user=people.liaison, claimant=people.unit)
    assert tasks.remind_claims.delay().get() == 1
    assert tasks.remind_claims.delay().get() == 0
    reminder = Notification.objects.get(kind=Kind.CLAIM_DUE)
    assert reminder.recipient == people.liaison and reminder.link == f"/wishes/claims/{claim.pk}/"
    # a fulfilled claim is not reminded
    services.claim_fulfil(claim=claim, user=people.liaison, note="完成")
    Notification.objects.all().delete()
    assert tasks.remind_claims.delay().get() == 0


def test_a_claim_far_from_its_date_is_not_reminded(world, people, published, daytime):
    services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    assert tasks.remind_claims.delay().get() == 0
