"""What the wishes' services share: recording an event (which moves the tracking pages' cache version on), fresh tracking codes, the points rules and the review permission."""

from django.core.cache import cache
from django.db import IntegrityError, transaction

from alliances.models import MemberUnit
from volunteers.models import Volunteer, VolunteerTeam
from wishes.models import Wish, WishEvent, WishFollower, new_tracking_code

POINTS_RULES = {
    Volunteer: "wish_fulfilled_person",
    VolunteerTeam: "wish_fulfilled_team",
    MemberUnit: "wish_fulfilled_unit",
}
REVIEW_PERMISSION = "wishes.review_wish"


def record_event(wish, kind, *, at, actor=None, claim=None, note=""):
    event = WishEvent.objects.create(wish=wish, claim=claim, kind=kind, actor=actor, note=note[:300], at=at)
    transaction.on_commit(lambda: bump_track_versions({wish.pk: event.pk}))
    return event


# The tracking page caches a wish's claims and timeline under the id of its
# latest event; every new event moves the version on, so nothing stale shows.
# Versions are kept per tracking code (the wish's and its followers'), so a
# tracking page finds its version in the same round trip as everything else.
TRACK_VERSION_SECONDS = 30 * 24 * 60 * 60


def track_version_key(code):
    return f"wishes:track-version:{code}"


def tracking_codes(wish_pks):
    """{code: wish pk} for the wishes and everyone following them."""
    codes = dict(Wish.objects.filter(pk__in=wish_pks).values_list("code", "pk"))
    codes.update(WishFollower.objects.filter(wish_id__in=wish_pks).values_list("code", "wish_id"))
    return codes


def bump_track_versions(latest_event_by_wish):
    codes = tracking_codes(list(latest_event_by_wish))
    cache.set_many(
        {track_version_key(code): latest_event_by_wish[pk] for code, pk in codes.items()},
        TRACK_VERSION_SECONDS,
    )


def with_unique_code(create):
    """Run `create(code)` with fresh codes until one is free (a clash is a 2**-60 event)."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return create(new_tracking_code())
        except IntegrityError:
            continue
    raise RuntimeError("could not find a free tracking code")
