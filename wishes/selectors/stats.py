"""Numbers for the staff dashboard and the monthly report: the funnel, and the claims of units and their party members."""

from django.db.models import Count, Q

from alliances.models import unit_keys, unit_name_key
from portal.scoping import aggregate_in
from volunteers.selectors import party_member_filter
from wishes.models import Claim, Wish

_CLAIMED = (Wish.Status.PARTLY_CLAIMED, Wish.Status.CLAIMED, Wish.Status.FULFILLED, Wish.Status.CONFIRMED)
_FULFILLED = (Wish.Status.FULFILLED, Wish.Status.CONFIRMED)
# A wish reached every stage up to the one it is at. A closed wish counts as
# claimed and fulfilled when a claimant had fulfilled it (an unconfirmed
# fulfilment closes by itself), not when staff closed it unclaimed after its date.
_CLOSED_DONE = Q(status=Wish.Status.CLOSED, fulfilled_at__isnull=False)
_FUNNEL = {
    "submitted": Count("pk"),
    "published": Count("pk", filter=Q(status__in=Wish.PUBLIC)),
    "claimed": Count("pk", filter=Q(status__in=_CLAIMED) | _CLOSED_DONE),
    "fulfilled": Count("pk", filter=Q(status__in=_FULFILLED) | _CLOSED_DONE),
    "confirmed": Count("pk", filter=Q(status=Wish.Status.CONFIRMED)),
    "waiting_review": Count("pk", filter=Q(status=Wish.Status.SUBMITTED)),
    "overdue": Count("pk", filter=Q(status=Wish.Status.PUBLISHED, overdue_at__isnull=False)),
}
FUNNEL = tuple(_FUNNEL)


def wish_funnel(scope, *, by_node=False):
    """How far the wishes inside `scope` got: submitted → published → claimed → fulfilled → confirmed,
    with those waiting for review and those overdue unclaimed; per grid node with `by_node`."""
    return aggregate_in(Wish.objects.all(), scope, _FUNNEL, by_node=by_node)


UNIT_CLAIM_COUNTS = (
    "unit_claimed",
    "unit_fulfilled",
    "unit_confirmed",
    "members_claimed",
    "members_fulfilled",
    "members_confirmed",
)


def unit_claim_counts(area, street_tree, units, start, end):
    """Per member unit: wishes in `area` claimed, fulfilled and confirmed in [start, end),
    by the unit itself and by its party members (see `volunteers.selectors.unit_party_members`)."""
    if not units:
        return []
    keys = unit_keys(units.values())
    in_month = (
        Q(claimed_at__gte=start, claimed_at__lt=end)
        | Q(fulfilled_at__gte=start, fulfilled_at__lt=end)
        | Q(confirmed_at__gte=start, confirmed_at__lt=end)
    )
    by_whom = Q(unit__in=list(units)) | party_member_filter(street_tree, "volunteer__")
    claims = (
        Claim.objects.filter(in_month, by_whom, **area.lookups("wish__grid__"))
        .values_list(
            "unit_id", "volunteer__work_unit", "claimed_at", "withdrawn_at", "fulfilled_at", "confirmed_at"
        )
        .order_by()
    )
    rows = {
        pk: {"unit_id": pk, "unit": unit.name, **dict.fromkeys(UNIT_CLAIM_COUNTS, 0)}
        for pk, unit in units.items()
    }
    for unit_id, work_unit, claimed_at, withdrawn_at, fulfilled_at, confirmed_at in claims:
        owner = unit_id if unit_id in rows else keys.get(unit_name_key(work_unit))
        if owner is None:
            continue
        who = "unit" if unit_id else "members"
        if start <= claimed_at < end and not (withdrawn_at and withdrawn_at < end):
            rows[owner][f"{who}_claimed"] += 1
        if fulfilled_at and start <= fulfilled_at < end:
            rows[owner][f"{who}_fulfilled"] += 1
        if confirmed_at and start <= confirmed_at < end:
            rows[owner][f"{who}_confirmed"] += 1
    return [row for row in rows.values() if any(row[k] for k in UNIT_CLAIM_COUNTS)]


def wishes_by_ids(ids):
    """Wishes with their places, for messages about many at once (the overdue job)."""
    return list(Wish.objects.filter(pk__in=list(ids)).select_related("grid", "community").order_by("pk"))
