"""Reads for micro-wishes: scoped for staff, public for the wall, by code for residents."""

import datetime
import re
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from alliances.access import liaison_unit_ids
from alliances.models import MemberUnit, unit_keys, unit_name_key
from grids.models import Grid, Household
from portal.scoping import aggregate_in, scope_queryset
from volunteers.access import volunteer_of
from volunteers.models import Volunteer, VolunteerTeam
from volunteers.selectors import party_member_filter
from wishes.models import Claim, Wish, WishFollower, normalise_code

# --- staff: the one scoping rule ----------------------------------------------------


def wishes_visible_to(user):
    return scope_queryset(Wish.objects.select_related("grid", "community", "household"), user)


def get_wish_for_user_or_404(user, pk):
    return get_object_or_404(wishes_visible_to(user), pk=pk)


def review_queue(user):
    """Submitted wishes in the user's subtree, oldest first."""
    return wishes_visible_to(user).filter(status=Wish.Status.SUBMITTED).order_by("submitted_at", "pk")


def overdue_wishes(user):
    """Published wishes past their wanted-by date that nobody claimed (flagged by the daily job)."""
    return (
        wishes_visible_to(user)
        .filter(status=Wish.Status.PUBLISHED, overdue_at__isnull=False)
        .order_by("wanted_by", "pk")
    )


def staff_counts(user):
    """Numbers for the staff pages: waiting review, overdue, waiting for the resident."""
    counts = scope_queryset(Wish.objects.all(), user).aggregate(
        waiting=Count("pk", filter=Q(status=Wish.Status.SUBMITTED)),
        overdue=Count("pk", filter=Q(status=Wish.Status.PUBLISHED, overdue_at__isnull=False)),
        unconfirmed=Count("pk", filter=Q(status=Wish.Status.FULFILLED)),
    )
    return counts


def scope_communities(user):
    """Communities inside the user's scope, for the QR sheets."""
    return scope_queryset(Grid.objects.filter(kind=Grid.Kind.COMMUNITY), user).order_by("code")


def same_phone_wishes(wish, user):
    """Other wishes from the same phone number in the user's scope, for staff spotting duplicates."""
    return wishes_visible_to(user).filter(phone=wish.phone).exclude(pk=wish.pk).order_by("-submitted_at")[:5]


# --- households: the rainbow category of the person asking ----------------------------

_ADDRESS_RE = re.compile(r"^\s*(\d+)\D+(\d+)\D+(\d+)\s*$")
_BUILDING_SUFFIXES = ("", "号楼", "栋", "幢", "号")


def household_matches(*, phone, address, grid):
    """Households whose phone or building-unit-room match the wish, best candidates first.

    The grid the resident scanned is searched first: one "3号楼 2单元 301室"
    may exist in several grids of a community, and the scanned grid is where
    the resident lives. Then the rest of the community. Within each, phone
    matches come before address-only ones and vulnerable households before
    others. Each household carries `in_place` (in the scanned grid) and
    `by_phone`, for the review page to show why it is offered.
    """
    community = grid.community
    households = Household.objects.filter(grid__parent=community).select_related("building", "grid")
    match = Q(phone=phone) if phone else Q(pk__in=[])
    parts = _ADDRESS_RE.match(address or "")
    if parts:
        building, unit, room = parts.groups()
        match |= Q(building__name__in=[f"{building}{s}" for s in _BUILDING_SUFFIXES], unit=unit, room=room)
    found = list(households.filter(match).order_by("pk")[:20])
    for household in found:
        household.in_place = grid.kind == Grid.Kind.GRID and household.grid_id == grid.pk
        household.by_phone = bool(phone) and household.phone == phone
    found.sort(
        key=lambda h: (
            not h.in_place,
            not h.by_phone,
            h.category == Household.Category.GENERAL,
            h.pk,
        )
    )
    return found[:10]


def best_household(*, phone, address, grid):
    """The household a wish is from, when the matches leave no doubt; else None (staff choose).

    One match in the scanned grid; or one phone match in the community; or,
    without a scanned grid, exactly one match at all.
    """
    found = household_matches(phone=phone, address=address, grid=grid)
    in_place = [h for h in found if h.in_place]
    if len(in_place) == 1:
        return in_place[0]
    by_phone = [h for h in found if h.by_phone]
    if len(by_phone) == 1:
        return by_phone[0]
    if grid.kind != Grid.Kind.GRID and len(found) == 1:
        return found[0]
    return None


# --- the public wall --------------------------------------------------------------------

WALL_PAGE_SIZE = 20
PLACES_CACHE_KEY = "wishes:places:v4"


def _places():
    """Streets and their communities, with ready-made <option> markup; cached for five minutes.

    A district has up to 100 streets and 1,200 communities. Pages list the
    streets and only the chosen street's communities, and the markup is built
    here once: looping over a thousand options in a template costs more than
    everything else on the page.
    """
    memo = _PLACES_MEMO
    if memo and memo[0] > time.monotonic():
        return memo[1]
    cached = cache.get(PLACES_CACHE_KEY)
    if cached is None:
        streets = list(Grid.objects.filter(kind=Grid.Kind.STREET).order_by("code").values_list("pk", "name"))
        by_street = {pk: [] for pk, _name in streets}
        rows = (
            Grid.objects.filter(kind=Grid.Kind.COMMUNITY)
            .order_by("code")
            .values_list("pk", "name", "parent_id")
        )
        for pk, name, street in rows:
            by_street.setdefault(street, []).append((pk, name))
        cached = {
            "streets": streets,
            "street_options": "".join(
                format_html('<option value="{}">{}</option>', pk, name) for pk, name in streets
            ),
            "communities": {
                street: "".join(format_html('<option value="{}">{}</option>', pk, name) for pk, name in items)
                for street, items in by_street.items()
            },
            "community_street": {pk: street for street, items in by_street.items() for pk, _name in items},
            "qr": _qr_places(),
            "json": dict(by_street),
        }
        cache.set(PLACES_CACHE_KEY, cached, 300)
    # Each process also keeps its copy for a minute: the lists are ~100 kB,
    # and unpickling them from Redis on every request would cost more than the page.
    _PLACES_MEMO[:] = [time.monotonic() + 60, cached]
    return cached


_PLACES_MEMO = []


def forget_places():
    """Drop this process's copy and the shared one (tests, or after editing the grid tree)."""
    _PLACES_MEMO.clear()
    cache.delete(PLACES_CACHE_KEY)


def _qr_places():
    """code -> (kind, pk, name, community pk, community name) of every community and grid."""
    rows = Grid.objects.exclude(kind=Grid.Kind.STREET).values_list(
        "code", "kind", "pk", "name", "parent_id", "parent__name"
    )
    places = {}
    for code, kind, pk, name, parent_pk, parent_name in rows:
        if kind == Grid.Kind.COMMUNITY:
            places[code] = (kind, pk, name, pk, name)
        else:
            places[code] = (kind, pk, name, parent_pk, parent_name)
    return places


@dataclass(frozen=True)
class Place:
    """Enough of a grid node for the form: what a QR code points at, without a query."""

    kind: str
    pk: int
    name: str
    code: str
    parent: "Place | None" = None


def qr_place(code):
    """The community or grid a QR code names, or None for a street or an unknown code."""
    found = _places()["qr"].get(code)
    if found is None:
        return None
    kind, pk, name, community_pk, community_name = found
    if kind == Grid.Kind.COMMUNITY:
        return Place(kind=kind, pk=pk, name=name, code=code)
    community = Place(kind=Grid.Kind.COMMUNITY, pk=community_pk, name=community_name, code="")
    return Place(kind=kind, pk=pk, name=name, code=code, parent=community)


def _select(html, value):
    if value:
        html = html.replace(f'<option value="{value}">', f'<option value="{value}" selected>', 1)
    return mark_safe(html)  # built with format_html in _places


def place_choices(*, street=None, community=None):
    """Markup and state for the street and community pickers of the wall and the form.

    `street` is the chosen street's pk (taken from `community` when only that
    is known); with a single street in the database it is chosen already.
    """
    places = _places()
    if community and not street:
        street = places["community_street"].get(community)
    if street not in places["communities"]:
        street = None
    if street is None and len(places["streets"]) == 1:
        street = places["streets"][0][0]
    return {
        "street": street,
        "many_streets": len(places["streets"]) > 1,
        "street_options": _select(places["street_options"], street),
        "community_options": _select(places["communities"][street], community) if street else "",
    }


def street_communities(street):
    """[(pk, name), …] of one street's communities, for the form's picker script."""
    return _places()["json"].get(street, [])


def community_street(community):
    return _places()["community_street"].get(community)


def wall_page(*, street=None, community=None, category=None, page=1):
    """One page of open wishes, vulnerable first, then nearest wanted-by.

    One query on a partial index (see Wish.Meta.indexes); no COUNT: the pager
    fetches one row more than it shows to know whether a next page exists.
    """
    wishes = Wish.objects.filter(status__in=Wish.OPEN)
    if community:
        wishes = wishes.filter(community_id=community)
    elif street:
        wishes = wishes.filter(community_id__in=[pk for pk, _name in street_communities(street)])
    if category:
        wishes = wishes.filter(category=category)
    start = (page - 1) * WALL_PAGE_SIZE
    rows = list(
        wishes.select_related("community", "grid")
        .only(
            "pk",
            "name",
            "category",
            "public_text",
            "text",
            "wanted_by",
            "status",
            "slots",
            "claimed_count",
            "priority",
            "overdue_at",
            "community__name",
            "grid__name",
            "grid__kind",
        )
        .order_by("-priority", "wanted_by", "pk")[start : start + WALL_PAGE_SIZE + 1]
    )
    return rows[:WALL_PAGE_SIZE], len(rows) > WALL_PAGE_SIZE


def get_public_wish_or_404(pk):
    return get_object_or_404(
        Wish.objects.select_related("community", "grid").filter(status__in=Wish.PUBLIC), pk=pk
    )


def similar_shared_wishes(*, grid, text, limit=3):
    """Open shared needs (共性需求) of the resident's grid whose text is similar to theirs.

    Only wishes staff marked as shared at review are offered — never another
    resident's personal wish — and only while they still take claims. For a
    grid, its own shared needs and its community's (filed for the whole
    community); without a grid, the community's.

    Similarity is the Dice coefficient of the two texts' sets of character
    bigrams (pairs of adjacent characters, punctuation and spaces removed).
    Chinese has no spaces between words, so bigrams stand in for words: "楼道
    灯坏了" and "楼道的灯不亮" share 楼道; a score of 0.25 or more is offered.
    The database only filters by grid and status (a partial index), and at
    most the 200 newest candidates are compared.
    """
    mine = _bigrams(text)
    if not mine:
        return []
    places = [grid.pk] if grid.kind == Grid.Kind.COMMUNITY else [grid.pk, grid.parent_id]
    candidates = (
        Wish.objects.filter(is_shared=True, grid_id__in=places, status__in=Wish.OPEN)
        .select_related("community", "grid")
        .order_by("-submitted_at")[:200]
    )
    scored = []
    for wish in candidates:
        theirs = _bigrams(wish.shown_text)
        if not theirs:
            continue
        score = 2 * len(mine & theirs) / (len(mine) + len(theirs))
        if score >= SIMILARITY_THRESHOLD:
            scored.append((score, wish))
    scored.sort(key=lambda pair: (-pair[0], pair[1].wanted_by))
    return [wish for _score, wish in scored[:limit]]


SIMILARITY_THRESHOLD = 0.25
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def _bigrams(text):
    cleaned = _NOT_WORD.sub("", (text or "").lower())
    if len(cleaned) == 1:
        return {cleaned}
    return {cleaned[i : i + 2] for i in range(len(cleaned) - 1)}


# --- residents: by tracking code ---------------------------------------------------------


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


# --- claimants: who the signed-in user may claim for -------------------------------------


def claimants_for(user):
    """Everyone the user may claim for: themself, teams they lead, units they liaise for.

    Built on the volunteer record and the liaison units already kept on the
    user for the request, so someone who is neither costs no further query.
    """
    if not user.is_authenticated:
        return []
    volunteer = volunteer_of(user)
    options = [volunteer] if volunteer is not None else []
    if volunteer is not None:
        options += list(VolunteerTeam.objects.filter(leader=volunteer).order_by("name"))
    unit_ids = liaison_unit_ids(user)
    if unit_ids:
        options += list(MemberUnit.objects.filter(pk__in=unit_ids).order_by("name"))
    return options


def claimant_field(claimant):
    """The Claim field that holds this kind of claimant."""
    return {Volunteer: "volunteer", VolunteerTeam: "team", MemberUnit: "unit"}[type(claimant)]


def claimant_key(claimant):
    return f"{claimant_field(claimant)}-{claimant.pk}"


def claimant_filter(claimants, prefix=""):
    """A Q matching claims made by any of `claimants`."""
    q = Q(pk__in=[])
    for claimant in claimants:
        q |= Q(**{f"{prefix}{claimant_field(claimant)}_id": claimant.pk})
    return q


def claims_of(user, claimants=None):
    """Claims made by anyone the user may act for (`claimants`, when already known), newest first."""
    claimants = claimants_for(user) if claimants is None else claimants
    if not claimants:
        return Claim.objects.none()
    return (
        Claim.objects.filter(claimant_filter(claimants))
        .select_related("wish__community", "volunteer", "team", "unit")
        .order_by("-claimed_at", "-pk")
    )


def claimant_users(claims):
    """{claim pk: [users]} of the people behind each claim: the volunteer, the team leader, the unit's liaisons."""
    claims = list(claims)
    unit_ids = {c.unit_id for c in claims if c.unit_id}
    liaisons = {}
    if unit_ids:
        for unit in MemberUnit.objects.filter(pk__in=unit_ids).prefetch_related("liaisons"):
            liaisons[unit.pk] = [u for u in unit.liaisons.all() if u.is_active]
    result = {}
    for claim in claims:
        if claim.volunteer_id:
            user = claim.volunteer.user
            users = [user] if user is not None else []
        elif claim.team_id:
            leader = claim.team.leader
            users = [leader.user] if leader is not None and leader.user is not None else []
        else:
            users = liaisons.get(claim.unit_id, [])
        result[claim.pk] = [u for u in users if u.is_active]
    return result


def claims_due(start, end):
    """Claims still to be fulfilled whose wish is wanted between `start` and `end` (dates), for reminders."""
    return (
        Claim.objects.filter(
            status=Claim.Status.CLAIMED, wish__wanted_by__gte=start, wish__wanted_by__lte=end
        )
        .select_related("wish__grid", "volunteer__user", "team__leader__user", "unit")
        .order_by("pk")
    )


# --- the to-do -------------------------------------------------------------------------------


def claims_to_fulfil(user, claimants):
    """Claims of the user's claimants still to be done, nearest wanted-by first; returned ones first."""
    if not claimants:
        return Claim.objects.none()
    return (
        Claim.objects.filter(claimant_filter(claimants), status=Claim.Status.CLAIMED)
        .select_related("wish__community", "wish__grid")
        .order_by(F("returned_at").desc(nulls_last=True), "wish__wanted_by", "pk")
    )


def unclaimed_wishes(user, today, soon_days=3):
    """Published wishes nobody claimed that are overdue or due within `soon_days`, most urgent first."""
    return (
        wishes_visible_to(user)
        .filter(status=Wish.Status.PUBLISHED)
        .filter(Q(overdue_at__isnull=False) | Q(wanted_by__lte=today + datetime.timedelta(days=soon_days)))
        .order_by("wanted_by", "pk")
    )


def returned_wishes(user):
    """Wishes whose resident reported a problem that staff have not followed up yet."""
    return wishes_visible_to(user).filter(issue_reported_at__isnull=False).order_by("issue_reported_at", "pk")


def get_claim_for_user_or_404(user, pk):
    """A claim the user may act on: made for one of their claimants, or in their staff scope.

    "Staff" means holding wishes.view_claim (street staff, secretaries): a grid
    worker's scope is a grid, but the claims there, their notes and the
    fulfilment photos of residents' homes are none of their business.
    """
    claim = claims_of(user).filter(pk=pk).first()
    if claim is None:
        if not user.has_perm("wishes.view_claim"):
            raise Http404
        claim = get_object_or_404(
            scope_queryset(
                Claim.objects.select_related("wish__community", "volunteer", "team", "unit"), user
            ),
            pk=pk,
        )
    return claim


def live_claims_on(wishes, claimants):
    """Pks of the given wishes that the user's claimants already hold a live claim on."""
    if not claimants or not wishes:
        return set()
    return set(
        Claim.objects.filter(claimant_filter(claimants), wish__in=wishes, status__in=Claim.LIVE).values_list(
            "wish_id", flat=True
        )
    )


# --- numbers for the staff dashboard and the monthly report ----------------------------------------------

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
