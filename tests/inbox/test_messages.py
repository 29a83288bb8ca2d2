"""Who is told what, when something happens to them: the wishes' hand-offs and the other apps' events."""

import datetime
import logging

import pytest
from django.core import mail
from django.utils import timezone

from alliances import services as alliance_services
from inbox.models import Channel, Delivery, Kind, Notification, SendStatus
from tests.factories import (
    ActivityFactory,
    AllianceFactory,
    ChairTermFactory,
    MembershipFactory,
    NeedFactory,
    ResourceFactory,
    WishFactory,
)
from volunteers import services as volunteer_services
from wishes import services
from wishes.models import Wish


def _sent_sms(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "inbox.sms"]


def _to(phone):
    return Notification.objects.filter(phone=phone)


def test_the_resident_is_told_by_sms_who_claimed_and_the_grid_worker_is_told_too(
    world, people, published, daytime, caplog, django_capture_on_commit_callbacks
):
    with caplog.at_level(logging.INFO, logger="inbox.sms"), django_capture_on_commit_callbacks(execute=True):
        services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    told = _to(published.phone).get(kind=Kind.WISH_CLAIMED)
    assert "志愿者 李**" in told.body and published.code in told.body and "网格员" in told.body
    sms = _sent_sms(caplog)
    assert any("137****1111" in line and "志愿者 李**" in line for line in sms)
    assert not any("13700001111" in line for line in sms)
    # the grid worker the claimant will call hears about it in the portal (and by SMS)
    worker = Notification.objects.get(recipient=world.gridworker_a, kind=Kind.GRID_WISH_CLAIMED)
    assert "志愿者 李**" in worker.body and "漏水" in worker.body
    # the tracking timeline says who claimed it, by public label
    html = _track(published)
    assert "已被认领（志愿者 李**）" in html


def _track(wish):
    from django.test import Client

    return Client().get(f"/wishes/track/{wish.code}/").content.decode()


def test_with_consent_the_resident_is_told_the_claimant_will_call(world, people, submitted, daytime):
    Wish.objects.filter(pk=submitted.pk).update(contact_consent=True)
    submitted.refresh_from_db()
    wish = services.wish_publish(
        wish=submitted,
        by=world.secretary_a,
        public_text="修水龙头啦啦",
        category="daily",
        slots=1,
        priority=0,
    )
    services.wish_claim(wish=wish, user=people.volunteer_user, claimant=people.volunteer)
    assert "直接给您打电话" in _to(wish.phone).get(kind=Kind.WISH_CLAIMED).body


def test_followers_hear_of_the_claim_and_the_fulfilment_with_their_own_code(
    world, people, published, daytime
):
    Wish.objects.filter(pk=published.pk).update(is_shared=True)
    published.refresh_from_db()
    follower = services.wish_follow(wish=published, name="张大爷", phone="13912340000")
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    services.claim_fulfil(claim=claim, user=people.volunteer_user, note="修好了")
    kinds = set(_to("13912340000").values_list("kind", flat=True))
    assert kinds == {Kind.WISH_CLAIMED, Kind.CLAIM_FULFILLED}
    assert all(follower.code in n.body and "您关注的" in n.body for n in _to("13912340000"))


def test_the_resident_hears_of_publishing_rejection_withdrawal_fulfilment_and_closing(world, people, daytime):
    make = lambda: services.wish_submit(  # noqa: E731
        name="王秀英",
        phone="13700002222",
        grid=world.grid_a,
        category="daily",
        text="希望有人来修修楼道灯泡",
        wanted_by=timezone.localdate() + datetime.timedelta(days=9),
    )
    rejected = services.wish_reject(wish=make(), by=world.secretary_a, reason="请联系物业")
    wish = services.wish_publish(
        wish=make(), by=world.secretary_a, public_text="修楼道灯泡啊", category="daily", slots=1, priority=0
    )
    claim = services.wish_claim(wish=wish, user=people.volunteer_user, claimant=people.volunteer)
    services.claim_withdraw(claim=claim, user=people.volunteer_user)
    claim = services.wish_claim(wish=wish, user=people.leader_user, claimant=people.team)
    services.claim_fulfil(claim=claim, user=people.leader_user, note="换好了")
    closing = services.wish_publish(
        wish=make(), by=world.secretary_a, public_text="修楼道灯泡啊", category="daily", slots=1, priority=0
    )
    services.wish_close(wish=closing, by=world.secretary_a, reason="物业已经修好")
    bodies = {n.kind: n.body for n in _to("13700002222")}
    assert "请联系物业" in bodies[Kind.WISH_REJECTED] and rejected.code in bodies[Kind.WISH_REJECTED]
    assert {
        Kind.WISH_PUBLISHED,
        Kind.WISH_CLAIMED,
        Kind.CLAIM_WITHDRAWN,
        Kind.CLAIM_FULFILLED,
        Kind.WISH_CLOSED,
    } <= set(bodies)
    assert "物业已经修好" in bodies[Kind.WISH_CLOSED]
    assert set(
        Delivery.objects.filter(notification__phone="13700002222").values_list("channel", flat=True)
    ) == {Channel.SMS}


@pytest.mark.parametrize("claimant", ["volunteer", "team", "unit"])
def test_the_claimants_people_hear_when_the_resident_confirms(
    people, published, daytime, claimant, django_capture_on_commit_callbacks
):
    who, user = {
        "volunteer": (people.volunteer, people.volunteer_user),
        "team": (people.team, people.leader_user),
        "unit": (people.unit, people.liaison),
    }[claimant]
    claim = services.wish_claim(wish=published, user=user, claimant=who)
    services.claim_fulfil(claim=claim, user=user, note="完成")
    with django_capture_on_commit_callbacks(execute=True):
        services.wish_confirm(wish=published, claim=claim, rating=5, comment="谢谢小李")
    told = Notification.objects.get(kind=Kind.CLAIM_CONFIRMED)
    assert told.recipient == user
    assert "5 星" in told.body and "谢谢小李" in told.body and told.link == f"/wishes/claims/{claim.pk}/"
    if claimant == "unit":
        assert [m.to for m in mail.outbox] == [["bank@example.org"]]


def test_a_not_done_answer_reaches_the_claimant_and_the_community(world, people, published, daytime):
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    services.claim_fulfil(claim=claim, user=people.volunteer_user, note="完成")
    services.wish_report_not_done(wish=published, claim=claim, reason="水龙头还在滴水")
    told = {n.recipient: n for n in Notification.objects.filter(kind=Kind.WISH_NOT_DONE)}
    assert set(told) == {people.volunteer_user, world.gridworker_a, world.secretary_a}
    assert "水龙头还在滴水" in told[people.volunteer_user].body
    assert "请跟进" in told[world.secretary_a].body
    assert told[world.secretary_a].link == f"/wishes/review/{published.pk}/"
    # a grid worker does not review wishes: the link is one they can open
    assert told[world.gridworker_a].link == f"/wishes/{published.pk}/"


def test_overdue_unclaimed_wishes_reach_the_staff_in_charge_once(world, people, daytime):
    wish = WishFactory(
        grid=world.grid_a,
        status=Wish.Status.PUBLISHED,
        wanted_by=timezone.localdate() - datetime.timedelta(days=2),
    )
    WishFactory(
        grid=world.grid_b,
        status=Wish.Status.PUBLISHED,
        wanted_by=timezone.localdate() - datetime.timedelta(days=2),
    )
    assert services.wishes_flag_overdue() == 2
    overdue = Notification.objects.filter(kind=Kind.WISH_OVERDUE)
    assert {(n.recipient, n.grid_id) for n in overdue} == {
        (world.gridworker_a, wish.grid_id),
        (world.secretary_a, wish.grid_id),
        (world.secretary_b, world.grid_b.pk),
    }
    assert services.wishes_flag_overdue() == 0
    assert overdue.count() == 3


def test_a_lost_code_request_sends_a_one_time_code_only_to_a_known_phone(
    submitted, daytime, caplog, django_capture_on_commit_callbacks
):
    with caplog.at_level(logging.INFO, logger="inbox.sms"), django_capture_on_commit_callbacks(execute=True):
        services.tracking_recovery_request(phone=submitted.phone)
        services.tracking_recovery_request(phone="13999990000")
    (notification,) = Notification.objects.filter(kind=Kind.TRACKING_CODE)
    assert notification.phone == submitted.phone
    assert "otp" not in notification.params  # wiped once sent
    (line,) = [m for m in _sent_sms(caplog) if "验证码" in m]
    assert "137****1111" in line


def test_volunteers_hear_that_an_activity_they_signed_up_for_was_cancelled(world, people, daytime):
    activity = ActivityFactory(team=people.team, community=world.community_a)
    volunteer_services.signup_create(activity=activity, volunteer=people.volunteer)
    volunteer_services.activity_cancel(activity=activity, user=people.leader_user)
    told = Notification.objects.get(kind=Kind.ACTIVITY_CANCELLED)
    assert told.recipient == people.volunteer_user and activity.title[:10] in told.body


def test_a_units_liaisons_hear_that_a_need_was_matched_to_their_resource(world, people, daytime):
    alliance = AllianceFactory(grid=world.street)
    MembershipFactory(alliance=alliance, unit=people.unit)
    need = NeedFactory(community=world.community_a, kind="venue", title="老年活动室")
    resource = ResourceFactory(unit=people.unit, kind="venue", title="银行会议室")
    project = alliance_services.project_create_from_match(
        need=need, resource=resource, actor=world.street_staff
    )
    told = Notification.objects.get(kind=Kind.PROJECT_MATCHED)
    assert told.recipient == people.liaison and "银行会议室" in told.body and "老年活动室" in told.body
    assert told.link == f"/alliances/projects/{project.pk}/"


def test_member_units_hear_of_a_scheduled_meeting(world, people, daytime):
    alliance = AllianceFactory(grid=world.street)
    MembershipFactory(alliance=alliance, unit=people.unit)
    held_at = timezone.now() + datetime.timedelta(days=5)
    ChairTermFactory(
        alliance=alliance, unit=people.unit, month=timezone.localtime(held_at).date().replace(day=1)
    )
    meeting = alliance_services.meeting_schedule(
        alliance=alliance, held_at=held_at, agenda="议程", actor=world.street_staff, place="街道会议室"
    )
    told = Notification.objects.get(kind=Kind.MEETING_SCHEDULED)
    assert told.recipient == people.liaison and "街道会议室" in told.body
    assert told.link == f"/alliances/meetings/{meeting.pk}/"


def test_a_users_own_language_shows_in_the_portal_and_messages_go_out_in_chinese(
    people, published, daytime, client
):
    from django.utils import translation

    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    services.claim_fulfil(claim=claim, user=people.volunteer_user, note="完成")
    services.wish_confirm(wish=published, claim=claim, rating=4)
    notification = Notification.objects.get(kind=Kind.CLAIM_CONFIRMED)
    with translation.override("en"):
        assert "confirmed" in notification.body.lower()
        from inbox.messages import outgoing

        assert "居民确认" in outgoing(notification)[1]
    assert Delivery.objects.filter(notification=notification, status=SendStatus.PENDING).exists()
