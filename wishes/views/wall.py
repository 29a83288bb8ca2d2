"""The public wall: published wishes without anyone's personal data, a wish's page, and claiming from it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import pagecache
from wishes import selectors, services
from wishes.forms import (
    ClaimForm,
)
from wishes.models import Wish
from wishes.views.common import MAX_WALL_PAGE, WALL_CACHE_SECONDS, int_param


def _wall_params(request):
    """The wall's inputs, normalised: a street and community that exist, a known category, a page."""
    street = int_param(request, "street")
    community = int_param(request, "community")
    category = request.GET.get("category", "")
    if category not in Wish.Category.values:
        category = ""
    page = int_param(request, "page", 1, MAX_WALL_PAGE)
    street = selectors.place_choices(street=street, community=community)["street"]
    if community and selectors.community_street(community) != street:
        community = None  # a community of another street, or none at all
    return {"street": street, "community": community, "category": category, "page": page}


def wall(request):
    params = _wall_params(request)
    return pagecache.serve(
        request,
        lambda: _wall_page(request, **params),
        seconds=WALL_CACHE_SECONDS,
        parts=tuple(params.values()),
    )


def _wall_page(request, *, street, community, category, page):
    places = selectors.place_choices(street=street, community=community)
    claimants = selectors.claimants_for(request.user)
    context = {
        **places,
        "page": page,
        "community": community,
        "category": category,
        "categories": Wish.Category.choices,
    }
    # The wall is the same for everyone who cannot claim, so their copy of the
    # cards is cached briefly (per language: the cards hold translated labels);
    # claimants get theirs live, marked "我已认领".
    key = f"wishes:wall:{get_language()}:{street or 0}:{community or 0}:{category}:{page}"
    cards = None if claimants else cache.get(key)
    if cards is None:
        wishes, has_next = selectors.wall_page(
            street=street, community=community, category=category, page=page
        )
        context.update(wishes=wishes, has_next=has_next, mine=selectors.live_claims_on(wishes, claimants))
        cards = render_to_string("wishes/_wall_cards.html", context, request=request)
        if not claimants:
            cache.set(key, cards, WALL_CACHE_SECONDS)
    return render(request, "wishes/wall.html", {**context, "cards": cards})


def wish_detail(request, pk):
    wish = selectors.get_public_wish_or_404(pk)
    claimants = selectors.claimants_for(request.user)
    mine = selectors.live_claims_on([wish], claimants)
    return render(
        request,
        "wishes/wish_detail.html",
        {
            "wish": wish,
            "claims": selectors.wish_claims_for_resident(wish),
            "claimants": claimants,
            "mine": mine,
            "form": ClaimForm(claimants=claimants) if claimants else None,
        },
    )


@require_POST
@login_required
def wish_claim(request, pk):
    wish = selectors.get_public_wish_or_404(pk)
    claimants = selectors.claimants_for(request.user)
    if not claimants:
        return render(request, "wishes/cannot_claim.html", status=403)
    form = ClaimForm(request.POST, claimants=claimants)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("claimant", [_("请选择以谁的名义认领。")])))
        return redirect("wishes:detail", pk=wish.pk)
    try:
        claim = services.wish_claim(wish=wish, user=request.user, claimant=form.cleaned_data["claimant"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("wishes:detail", pk=wish.pk)
    messages.success(request, _("认领成功！完成后请在这里标记完成。"))
    return redirect("wishes:claim_detail", pk=claim.pk)
