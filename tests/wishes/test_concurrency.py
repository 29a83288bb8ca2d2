"""Claims under real concurrency: threads with their own PostgreSQL connections.

SQLite serialises every write transaction, so these only prove something on
PostgreSQL; they are skipped elsewhere.
"""

import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from portal.models import User
from tests.factories import WishFactory
from tests.utils import requires_postgresql
from volunteers.models import Volunteer
from wishes import services
from wishes.models import Claim, Wish

THREADS = 50


def _volunteers(world, count, prefix):
    users = User.objects.bulk_create([User(username=f"{prefix}{n}") for n in range(count)])
    return [
        (user, volunteer)
        for user, volunteer in zip(
            users,
            Volunteer.objects.bulk_create(
                [
                    Volunteer(user=user, name=f"志愿者{n}", community=world.community_a)
                    for n, user in enumerate(users)
                ]
            ),
            strict=True,
        )
    ]


def _race(jobs):
    """Run every job at the same moment, each in a thread with its own connection."""
    barrier = threading.Barrier(len(jobs))
    outcomes = []
    lock = threading.Lock()

    def run(job):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            job()
            outcome = "claimed"
        except ValidationError:
            outcome = "refused"
        except Exception as error:  # anything else is a bug the test must show
            outcome = f"error: {error!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return Counter(outcomes)


@requires_postgresql
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("slots", [1, 3])
def test_simultaneous_claims_never_exceed_the_slots(world, slots):
    wish = WishFactory(grid=world.grid_a, status=Wish.Status.PUBLISHED, slots=slots)
    people = _volunteers(world, THREADS, f"race{slots}-")
    jobs = [
        (lambda user=user, volunteer=volunteer: services.wish_claim(wish=wish, user=user, claimant=volunteer))
        for user, volunteer in people
    ]
    outcomes = _race(jobs)
    assert outcomes == Counter({"claimed": slots, "refused": THREADS - slots})
    wish.refresh_from_db()
    live = Claim.objects.filter(wish=wish, status__in=Claim.LIVE)
    assert live.count() == slots == wish.claimed_count
    assert sorted(live.values_list("slot_no", flat=True)) == list(range(1, slots + 1))
    assert wish.status == Wish.Status.CLAIMED


@requires_postgresql
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_claimant_clicking_many_times_holds_one_claim(world):
    wish = WishFactory(grid=world.grid_a, status=Wish.Status.PUBLISHED, slots=3)
    [(user, volunteer)] = _volunteers(world, 1, "double")
    outcomes = _race([lambda: services.wish_claim(wish=wish, user=user, claimant=volunteer)] * THREADS)
    assert outcomes == Counter({"claimed": 1, "refused": THREADS - 1})
    assert Claim.objects.filter(wish=wish).count() == 1


@requires_postgresql
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_open_claim_limit_holds_across_wishes(settings, world):
    settings.WISH_MAX_OPEN_CLAIMS = 3
    wishes = [WishFactory(grid=world.grid_a, status=Wish.Status.PUBLISHED) for _ in range(12)]
    [(user, volunteer)] = _volunteers(world, 1, "busy")
    outcomes = _race(
        [(lambda wish=wish: services.wish_claim(wish=wish, user=user, claimant=volunteer)) for wish in wishes]
    )
    assert outcomes == Counter({"claimed": 3, "refused": 9})
    assert Claim.objects.filter(volunteer=volunteer, status=Claim.Status.CLAIMED).count() == 3
