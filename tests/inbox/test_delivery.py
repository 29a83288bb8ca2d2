"""The outbox: notifications written with the change, each sent once per channel, by one interface."""

import datetime
import logging
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from inbox import digests, services, tasks
from inbox.models import Channel, Delivery, Digest, Kind, Notification, Preference, SendStatus
from inbox.services import Note, notifications_write
from inbox.sms import SendError
from portal.roles import Role
from tests.factories import make_user


def _note(user, key="k1", **params):
    return Note(key=key, recipient=user, params={"text": "修水龙头", "rating": 5, **params}, link="/me/")


@pytest.fixture
def reader(db):
    return make_user(Role.VOLUNTEER, username="reader", email="reader@example.org", phone="13900009999")


def test_a_notification_gets_one_delivery_per_chosen_channel(reader, daytime):
    (notification,) = notifications_write(kind=Kind.CLAIM_CONFIRMED, notes=[_note(reader)])
    assert notification.recipient == reader and notification.read_at is None
    assert {(d.channel, d.address, d.status) for d in notification.deliveries.all()} == {
        (Channel.EMAIL, "reader@example.org", SendStatus.PENDING),
        (Channel.SMS, "13900009999", SendStatus.PENDING),
    }


def test_the_same_event_for_the_same_person_is_written_once(reader, daytime):
    notifications_write(kind=Kind.CLAIM_CONFIRMED, notes=[_note(reader)])
    assert notifications_write(kind=Kind.CLAIM_CONFIRMED, notes=[_note(reader), _note(reader)]) == []
    assert Notification.objects.count() == 1 and Delivery.objects.count() == 2


def test_channels_follow_the_preference_and_the_portal_always_has_it(reader, daytime):
    Preference.objects.create(user=reader, email=False, sms=False)
    (notification,) = notifications_write(kind=Kind.CLAIM_CONFIRMED, notes=[_note(reader)])
    assert not notification.deliveries.exists()
    assert Notification.objects.filter(recipient=reader).count() == 1


def test_a_volunteers_phone_is_used_when_the_login_has_none(world, daytime):
    from tests.factories import VolunteerFactory

    VolunteerFactory(user=world.volunteer, community=world.community_a, phone="13955556666")
    (notification,) = notifications_write(kind=Kind.CLAIM_CONFIRMED, notes=[_note(world.volunteer)])
    assert notification.deliveries.get().address == "13955556666"


def test_a_resident_is_reached_by_sms_only(db, daytime):
    (notification,) = notifications_write(
        kind=Kind.WISH_PUBLISHED, notes=[Note(key="r1", phone="13700001111", params={"code": "ABCD"})]
    )
    assert [(d.channel, d.address) for d in notification.deliveries.all()] == [(Channel.SMS, "13700001111")]


def test_sending_claims_the_delivery_so_it_goes_out_once(reader, daytime, caplog):
    (notification,) = notifications_write(kind=Kind.CLAIM_CONFIRMED, notes=[_note(reader)])
    sms = notification.deliveries.get(channel=Channel.SMS)
    with caplog.at_level(logging.INFO, logger="inbox.sms"):
        assert services.delivery_send(delivery_id=sms.pk) is True
        assert services.delivery_send(delivery_id=sms.pk) is False
        assert tasks.deliver.delay(sms.pk).get() is False
    assert caplog.text.count("139****9999") == 1 and "13900009999" not in caplog.text
    sms.refresh_from_db()
    assert sms.status == SendStatus.SENT and sms.attempts == 1


def test_email_goes_out_with_the_link(reader, daytime, settings):
    settings.SITE_URL = "https://portal.example.gov.cn"
    (notification,) = notifications_write(kind=Kind.CLAIM_CONFIRMED, notes=[_note(reader)])
    services.delivery_send(delivery_id=notification.deliveries.get(channel=Channel.EMAIL).pk)
    (message,) = mail.outbox
    assert message.to == ["reader@example.org"] and message.subject == "居民已确认"
    assert "修水龙头" in message.body and "https://portal.example.gov.cn/me/" in message.body


def test_after_commit_the_sends_are_queued_and_a_broker_outage_loses_nothing(
    reader, daytime, django_capture_on_commit_callbacks, monkeypatch
):
    from kombu.exceptions import OperationalError

    from portal import queue
    from portal.models import TaskOutbox

    monkeypatch.setattr(queue._Broker, "down_until", 0.0)
    broker_down = mock.patch("portal.queue._send", side_effect=OperationalError("broker down"))
    with broker_down, django_capture_on_commit_callbacks(execute=True):
        notifications_write(kind=Kind.CLAIM_CONFIRMED, notes=[_note(reader)])
    assert set(Delivery.objects.values_list("status", flat=True)) == {SendStatus.PENDING}
    assert TaskOutbox.objects.pending().count() == 2  # the kernel's outbox has the sends too
    # The beat sweep (or the outbox, once the broker is back) sends each once.
    assert tasks.sweep.delay().get() == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {SendStatus.SENT}
    assert tasks.sweep.delay().get() == 0
    monkeypatch.setattr(queue._Broker, "down_until", 0.0)
    assert queue.resend_pending() == (2, 0)  # delivered late: nothing new is sent
    assert len(mail.outbox) == 1


def test_queued_sends_go_out_at_once_when_the_broker_is_up(
    reader, daytime, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notifications_write(kind=Kind.CLAIM_CONFIRMED, notes=[_note(reader)])
    assert set(Delivery.objects.values_list("status", flat=True)) == {SendStatus.SENT}


def test_quiet_hours_hold_sms_until_they_end_but_not_email(reader, monkeypatch):
    night = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(22, 30)))
    monkeypatch.setattr("inbox.services.timezone.now", lambda: night)
    (notification,) = notifications_write(kind=Kind.CLAIM_CONFIRMED, notes=[_note(reader)])
    sms = notification.deliveries.get(channel=Channel.SMS)
    email = notification.deliveries.get(channel=Channel.EMAIL)
    morning = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=1), datetime.time(8, 0))
    )
    assert sms.not_before == morning and email.not_before is None
    assert services.delivery_send(delivery_id=sms.pk, now=night) is False
    assert services.sweep(now=night) == 1  # the e-mail
    assert services.sweep(now=morning) == 1  # the SMS, once the quiet hours are over


def test_own_quiet_hours_and_none(reader, monkeypatch):
    at_seven = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(7, 0)))
    monkeypatch.setattr("inbox.services.timezone.now", lambda: at_seven)
    Preference.objects.create(user=reader, quiet_start=6, quiet_end=6)  # none
    (notification,) = notifications_write(kind=Kind.CLAIM_CONFIRMED, notes=[_note(reader)])
    assert notification.deliveries.get(channel=Channel.SMS).not_before is None
    assert services.quiet_until(at_seven, 1, 9) == at_seven.replace(hour=9)
    assert services.quiet_until(at_seven, 9, 17) is None


def test_a_one_time_code_ignores_quiet_hours_and_is_wiped_once_sent(db, monkeypatch):
    night = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(23, 0)))
    monkeypatch.setattr("inbox.services.timezone.now", lambda: night)
    (notification,) = notifications_write(
        kind=Kind.TRACKING_CODE,
        notes=[Note(key="otp1", phone="13700001111", params={"otp": "123456", "minutes": 10})],
    )
    sms = notification.deliveries.get()
    assert sms.not_before is None
    assert services.delivery_send(delivery_id=sms.pk, now=night) is True
    notification.refresh_from_db()
    assert "otp" not in notification.params


def test_a_transient_failure_is_retried_later_then_given_up(reader, daytime, settings):
    settings.INBOX_MAX_ATTEMPTS = 2
    (notification,) = notifications_write(kind=Kind.CLAIM_CONFIRMED, notes=[_note(reader)])
    sms = notification.deliveries.get(channel=Channel.SMS)
    with mock.patch("inbox.sms.LoggingSmsBackend.send", side_effect=SendError("throttled", retry=True)):
        assert services.delivery_send(delivery_id=sms.pk, now=daytime) is False
        sms.refresh_from_db()
        assert sms.status == SendStatus.PENDING and sms.not_before == daytime + datetime.timedelta(minutes=1)
        assert services.delivery_send(delivery_id=sms.pk, now=daytime) is False  # not due yet
        later = daytime + datetime.timedelta(minutes=2)
        assert services.delivery_send(delivery_id=sms.pk, now=later) is False
    sms.refresh_from_db()
    assert sms.status == SendStatus.FAILED and sms.attempts == 2 and "throttled" in sms.error


def test_a_permanent_failure_or_a_bug_is_never_retried(reader, daytime):
    (notification,) = notifications_write(kind=Kind.CLAIM_CONFIRMED, notes=[_note(reader)])
    sms = notification.deliveries.get(channel=Channel.SMS)
    with mock.patch("inbox.sms.LoggingSmsBackend.send", side_effect=KeyError("bug")):
        services.delivery_send(delivery_id=sms.pk)
    sms.refresh_from_db()
    assert sms.status == SendStatus.FAILED and sms.attempts == 1


def test_a_send_a_dead_worker_left_half_done_is_given_up_not_repeated(reader, daytime):
    (notification,) = notifications_write(kind=Kind.CLAIM_CONFIRMED, notes=[_note(reader)])
    Delivery.objects.update(status=SendStatus.SENDING, claimed_at=daytime - datetime.timedelta(hours=1))
    assert services.sweep(now=daytime) == 0
    assert set(Delivery.objects.values_list("status", flat=True)) == {SendStatus.FAILED}


def test_a_digest_gathers_held_messages_into_one_a_day(reader, daytime):
    Preference.objects.create(user=reader, digest=True, digest_hour=8, sms=False)
    for n in range(3):
        notifications_write(kind=Kind.CLAIM_CONFIRMED, notes=[_note(reader, key=f"d{n}", text=f"心愿{n}")])
    assert set(Delivery.objects.values_list("status", flat=True)) == {SendStatus.HELD}
    assert services.sweep(now=daytime) == 0  # held ones wait for the digest
    assert digests.digests_build(now=daytime) == 1
    assert digests.digests_build(now=daytime) == 0  # once a day
    digest = Digest.objects.get(content=Digest.Content.NOTIFICATIONS)
    assert services.digest_send(digest_id=digest.pk) is True
    assert services.digest_send(digest_id=digest.pk) is False
    (message,) = mail.outbox
    assert all(f"心愿{n}" in message.body for n in range(3))
    assert set(Delivery.objects.values_list("status", flat=True)) == {SendStatus.DIGESTED}


def test_a_digest_waits_for_its_hour(reader, daytime):
    Preference.objects.create(user=reader, digest=True, digest_hour=18)
    notifications_write(kind=Kind.CLAIM_CONFIRMED, notes=[_note(reader)])
    assert digests.digests_build(now=daytime) == 0
    assert digests.digests_build(now=daytime.replace(hour=19)) == 2  # e-mail and SMS


def test_staff_get_their_to_do_by_email_once_a_day(world, submitted, daytime):
    world.secretary_a.email = "a@example.org"
    world.secretary_a.save()
    world.secretary_b.email = "b@example.org"  # nothing to do in community B: no mail
    world.secretary_b.save()
    assert digests.digests_build(now=daytime) == 1
    assert digests.digests_build(now=daytime) == 0
    services.sweep(now=daytime)
    (message,) = mail.outbox
    assert message.to == ["a@example.org"]
    assert "待审核的心愿" in message.body and submitted.text[:20] in message.body
    Preference.objects.create(user=world.secretary_a, todo_email=False)
    Digest.objects.all().delete()
    assert digests.digests_build(now=daytime) == 0
