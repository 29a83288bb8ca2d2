"""What a resident reaches by tracking code: the wish, its timeline, its claims, the codes of a phone."""

from dataclasses import dataclass

from wishes.models import Claim, Wish, WishFollower, normalise_code


def find_by_code(code):
    """(wish, follower) for a tracking code: follower is None for the submitter's own code.

    Returns (None, None) for an unknown code.
    """
    code = normalise_code(code)
    if not code:
        return None, None
    wish = Wish.objects.select_related("community", "grid").filter(code=code).first()
    if wish is not None:
        return wish, None
    follower = WishFollower.objects.select_related("wish__community", "wish__grid").filter(code=code).first()
    if follower is not None:
        return follower.wish, follower
    return None, None


def saves_by_phone_since(phone, since):
    """Wishes filed and followed with this phone number since `since` (the form's per-phone limit)."""
    filed = Wish.objects.filter(phone=phone, submitted_at__gte=since).count()
    followed = WishFollower.objects.filter(phone=phone, created_at__gte=since).count()
    return filed + followed


def phone_has_wishes(phone):
    return Wish.objects.filter(phone=phone).exists() or WishFollower.objects.filter(phone=phone).exists()


@dataclass(frozen=True)
class TrackingEntry:
    code: str
    wish: Wish
    following: bool


def tracking_entries_for_phone(phone, limit=20):
    """The tracking codes of a phone number: its own wishes, then the ones it follows, newest first."""
    own = Wish.objects.filter(phone=phone).select_related("community").order_by("-submitted_at")[:limit]
    followed = (
        WishFollower.objects.filter(phone=phone)
        .select_related("wish__community")
        .order_by("-created_at")[:limit]
    )
    entries = [TrackingEntry(code=w.code, wish=w, following=False) for w in own]
    entries += [TrackingEntry(code=f.code, wish=f.wish, following=True) for f in followed]
    return entries


def resident_phones(wish):
    """[(phone, tracking code, is the owner)] of everyone waiting on a wish: its resident and its followers."""
    people = [(wish.phone, wish.code, True)]
    people += [(phone, code, False) for phone, code in wish.followers.values_list("phone", "code")]
    return people


def wish_timeline(wish):
    return list(wish.events.select_related("actor").order_by("at", "pk"))


def wish_claims_for_resident(wish):
    """Live claims with their claimants, for the tracking page (names masked there)."""
    return list(
        wish.claims.filter(status__in=Claim.LIVE)
        .select_related("volunteer", "team", "unit")
        .order_by("slot_no")
    )
