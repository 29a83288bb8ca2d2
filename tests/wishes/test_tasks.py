"""The daily jobs and the notifications: idempotent, each sends once."""

import datetime
import logging

from django.core import mail
from django.utils import timezone

from portal.roles import Role
from tests.factories import WishFactory, make_user
from wishes import services, tasks
from wishes.models import Claim, DigestSent, Wish, WishEvent


def test_the_overdue_job_flags_once(world):
    wish = WishFactory(
        grid=world.grid_a,
        status=Wish.Status.PUBLISHED,
        wanted_by=timezone.localdate() - datetime.timedelta(days=3),
    )
    assert tasks.flag_overdue_wishes.delay().get() == 1
    assert tasks.flag_overdue_wishes.delay().get() == 0
    wish.refresh_from_db()
    assert wish.overdue_at is not None


def test_the_close_job_closes_old_unconfirmed_fulfilments_once(settings, people, published):
    settings.WISH_CONFIRM_DAYS = 3
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    services.claim_fulfil(claim=claim, user=people.volunteer_user, note="完成")
    Wish.objects.filter(pk=published.pk).update(fulfilled_at=timezone.now() - datetime.timedelta(days=4))
    assert tasks.close_unconfirmed_wishes.delay().get() == 1
    assert tasks.close_unconfirmed_wishes.delay().get() == 0
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CLOSED


def test_the_claimant_hears_once_when_the_resident_confirms(
    people, published, django_capture_on_commit_callbacks
):
    people.volunteer_user.email = "li@example.org"
    people.volunteer_user.save()
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    services.claim_fulfil(claim=claim, user=people.volunteer_user, note="完成")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.wish_confirm(wish=published, claim=claim, rating=5, comment="谢谢小李")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["li@example.org"]
    assert "5 星" in mail.outbox[0].body and "谢谢小李" in mail.outbox[0].body
    assert tasks.notify_claimant_confirmed.delay(claim.pk).get() is False
    assert len(mail.outbox) == 1


def test_a_units_liaisons_are_told(people, published, django_capture_on_commit_callbacks):
    people.liaison.email = "bank@example.org"
    people.liaison.save()
    claim = services.wish_claim(wish=published, user=people.liaison, claimant=people.unit)
    services.claim_fulfil(claim=claim, user=people.liaison, note="完成")
    with django_capture_on_commit_callbacks(execute=True):
        services.wish_confirm(wish=published, claim=claim, rating=4)
    assert [m.to for m in mail.outbox] == [["bank@example.org"]]


def test_the_resident_gets_a_logged_sms_with_a_masked_number(
    world, submitted, caplog, django_capture_on_commit_callbacks
):
    with caplog.at_level(logging.INFO, logger="wishes.sms"), django_capture_on_commit_callbacks(execute=True):
        services.wish_reject(wish=submitted, by=world.secretary_a, reason="请联系物业")
    assert "137****1111" in caplog.text and "13700001111" not in caplog.text
    assert "请联系物业" in caplog.text
    event = submitted.events.get(kind=WishEvent.Kind.REJECTED)
    assert event.notified_at is not None
    assert tasks.notify_resident.delay(event.pk).get() is False


def test_staff_get_one_digest_a_day_of_their_own_scope(world, submitted):
    world.secretary_a.email = "a@example.org"
    world.secretary_a.save()
    world.secretary_b.email = "b@example.org"
    world.secretary_b.save()
    make_user(Role.VOLUNTEER, username="noemail", email="v@example.org")
    WishFactory(grid=world.grid_b, text="金港社区的心愿")
    mail.outbox.clear()
    assert tasks.send_staff_digests.delay().get() == 2
    assert tasks.send_staff_digests.delay().get() == 0
    by_user = {m.to[0]: m.body for m in mail.outbox}
    assert set(by_user) == {"a@example.org", "b@example.org"}
    assert submitted.text[:20] in by_user["a@example.org"]
    assert "金港社区的心愿" not in by_user["a@example.org"]
    assert DigestSent.objects.count() == 2
