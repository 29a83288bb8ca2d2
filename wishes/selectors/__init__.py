"""Reads for micro-wishes: scoped for staff, public for the wall, by code for residents.

One module per purpose: `scoped` (staff, by the one scoping rule), `households` (the rainbow
category of the person asking), `wall` (the public wall, places and similar wishes), `residents`
(by tracking code), `claimants` (who may claim for whom), `owed` (the to-do), `stats` (numbers for
the dashboard and the monthly report).
"""

from wishes.selectors.claimants import (
    claimant_field,
    claimant_filter,
    claimant_key,
    claimant_users,
    claimants_for,
    claims_due,
    claims_of,
)
from wishes.selectors.households import (
    best_household,
    household_matches,
)
from wishes.selectors.owed import (
    claims_to_fulfil,
    get_claim_for_user_or_404,
    live_claims_on,
    returned_wishes,
    unclaimed_wishes,
)
from wishes.selectors.residents import (
    TrackingEntry,
    find_by_code,
    phone_has_wishes,
    resident_phones,
    saves_by_phone_since,
    tracking_entries_for_phone,
    wish_claims_for_resident,
    wish_timeline,
)
from wishes.selectors.scoped import (
    get_wish_for_user_or_404,
    overdue_wishes,
    review_queue,
    same_phone_wishes,
    scope_communities,
    staff_counts,
    wishes_visible_to,
)
from wishes.selectors.stats import (
    FUNNEL,
    UNIT_CLAIM_COUNTS,
    unit_claim_counts,
    wish_funnel,
    wishes_by_ids,
)
from wishes.selectors.wall import (
    PLACES_CACHE_KEY,
    SIMILARITY_THRESHOLD,
    WALL_PAGE_SIZE,
    Place,
    community_street,
    forget_places,
    get_public_wish_or_404,
    place_choices,
    qr_place,
    similar_shared_wishes,
    street_communities,
    wall_page,
)

__all__ = [
    "FUNNEL",
    "PLACES_CACHE_KEY",
    "Place",
    "SIMILARITY_THRESHOLD",
    "TrackingEntry",
    "UNIT_CLAIM_COUNTS",
    "WALL_PAGE_SIZE",
    "best_household",
    "claimant_field",
    "claimant_filter",
    "claimant_key",
    "claimant_users",
    "claimants_for",
    "claims_due",
    "claims_of",
    "claims_to_fulfil",
    "community_street",
    "find_by_code",
    "forget_places",
    "get_claim_for_user_or_404",
    "get_public_wish_or_404",
    "get_wish_for_user_or_404",
    "household_matches",
    "live_claims_on",
    "overdue_wishes",
    "phone_has_wishes",
    "place_choices",
    "qr_place",
    "resident_phones",
    "returned_wishes",
    "review_queue",
    "same_phone_wishes",
    "saves_by_phone_since",
    "scope_communities",
    "similar_shared_wishes",
    "staff_counts",
    "street_communities",
    "tracking_entries_for_phone",
    "unclaimed_wishes",
    "unit_claim_counts",
    "wall_page",
    "wish_claims_for_resident",
    "wish_funnel",
    "wish_timeline",
    "wishes_by_ids",
    "wishes_visible_to",
]
