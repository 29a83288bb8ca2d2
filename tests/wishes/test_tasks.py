"""The daily jobs: idempotent. (What people are told is tested in tests/inbox.)"""

import datetime

from django.utils import timezone

from tests.factories import WishFactory
from wishes import services, tasks
from wishes.models import Claim, Wish


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
