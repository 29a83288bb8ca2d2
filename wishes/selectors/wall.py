"""The public wall and form: places by QR code, pages of open wishes, similar shared needs, a public wish."""

import re
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.shortcuts import get_object_or_404
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from grids.models import Grid
from wishes.models import Wish

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
