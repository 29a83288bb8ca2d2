"""The tracking page by code: the timeline, confirming and rating, "还没实现 / 有问题", the fulfilment photo."""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal import pagecache
from portal.cache import cache_unavailable, rate_limit_cache
from portal.middleware import private
from wishes import selectors, services
from wishes.forms import (
    ConfirmForm,
    NotDoneForm,
    TrackLookupForm,
)
from wishes.models import Claim, normalise_code
from wishes.views.common import (
    TRACK_CACHE_SECONDS,
    count_miss,
    misses_key,
    out_of_guesses,
    photo_response,
    resident_wish_or_404,
)


def _lookup_page(request, form, status):
    return render(request, "wishes/track_lookup.html", {"form": form}, status=status)


def _wrong_code(request, typed):
    """The lookup page with what was typed kept, saying the code is wrong (404, but not the 404 page)."""
    form = TrackLookupForm({"code": typed})
    form.is_valid()
    form.add_error("code", _("查询码不正确，请核对后再输入。查询码是 12 位字母和数字。"))
    return _lookup_page(request, form, status=404)


def _too_many_guesses(request, typed):
    form = TrackLookupForm({"code": typed})
    form.is_valid()
    form.add_error("code", _("查询码输错的次数太多了，请一小时后再试，或用手机号找回查询码。"))
    return _lookup_page(request, form, status=429)


@never_cache
@private
def track_lookup(request):
    form = TrackLookupForm(request.GET or None)
    if not form.is_bound:
        return _lookup_page(request, form, status=200)
    if not form.is_valid():
        return _lookup_page(request, form, status=400)
    code = form.cleaned_data["code"]
    typed = request.GET.get("code", "")
    if out_of_guesses(rate_limit_cache().get(misses_key(request), 0)):
        return _too_many_guesses(request, typed)
    wish, _follower = selectors.find_by_code(code)
    if wish is None:
        count_miss(request)
        return _wrong_code(request, typed)
    return redirect("wishes:track", code=code)


@never_cache
@private
def track(request, code):
    code = normalise_code(code)
    misses_at = misses_key(request)
    ref_key, version_key = _code_key(code), services.track_version_key(code)
    # One round trip: the guess count, the code's wish and its current version.
    found = cache.get_many([misses_at, ref_key, version_key])
    misses = found.get(misses_at, 0)
    if cache_unavailable():  # Redis is away: the guesses are counted in this process
        misses = rate_limit_cache().get(misses_at, 0)
    if out_of_guesses(misses):
        return _too_many_guesses(request, code)
    ref, version = found.get(ref_key), found.get(version_key)
    if ref is not None and version is not None:
        cached = _content_key(ref[0], version, ref[1])
        return pagecache.serve(
            request,
            lambda: _track_page_from_cache(request, code, cached),
            seconds=TRACK_CACHE_SECONDS,
            parts=(cached,),
        )
    return _track_by_code(request, code)


def _track_by_code(request, code):
    wish, follower = selectors.find_by_code(code)
    if wish is None:
        count_miss(request)
        return _wrong_code(request, code)
    return _track_page(request, wish, follower)


def _track_page_from_cache(request, code, content_key):
    content = cache.get(content_key)
    if content is None:  # expired between the two lookups
        return _track_by_code(request, code)
    return render(request, "wishes/track.html", {"content": content})


def _track_page(request, wish, follower, forms_by_claim=None, status=200):
    context = {
        "wish": wish,
        "follower": follower,
        "is_owner": follower is None,
        "code": follower.code if follower else wish.code,
        "community_phone": wish.community.phone,
    }
    content = _track_content(request, context, forms_by_claim)
    return render(request, "wishes/track.html", {"content": content}, status=status)


def _content_key(wish_pk, version, is_owner):
    return f"wishes:track:{wish_pk}:{version}:{is_owner:d}"


def _code_key(code):
    return f"wishes:code:{code}"


def _track_content(request, context, forms_by_claim):
    wish, is_owner = context["wish"], context["is_owner"]
    version_key = services.track_version_key(context["code"])
    version = cache.get(version_key)
    claims = selectors.wish_claims_for_resident(wish)
    for claim in claims:
        claim.public_label = services.public_claimant_label(claim)
        bound = (forms_by_claim or {}).get(claim.pk)
        claim.confirm_form = bound if isinstance(bound, ConfirmForm) else ConfirmForm(prefix=f"c{claim.pk}")
        claim.not_done_form = bound if isinstance(bound, NotDoneForm) else NotDoneForm(prefix=f"n{claim.pk}")
        claim.not_done_open = isinstance(bound, NotDoneForm)
    events = selectors.wish_timeline(wish)
    # Rendered with the CSRF placeholder: the confirmation form can be cached
    # too, and every response gets its visitor's own token.
    with pagecache.placeholder_tokens(request):
        content = render_to_string(
            "wishes/_track_content.html", {**context, "claims": claims, "events": events}, request=request
        )
    if forms_by_claim or not events:
        return content
    if version is None:
        # add, not set: an event committed meanwhile may have set a newer version.
        cache.add(version_key, events[-1].pk, services.TRACK_VERSION_SECONDS)
        version = events[-1].pk
    if version == events[-1].pk:
        cache.set(_code_key(context["code"]), (wish.pk, is_owner), services.TRACK_VERSION_SECONDS)
        cache.set(_content_key(wish.pk, version, is_owner), content, TRACK_CACHE_SECONDS)
    return content


@require_POST
@private
def track_confirm(request, code, claim_id):
    wish, follower = resident_wish_or_404(request, code)
    if follower is not None:
        raise Http404  # only the person who made the wish confirms it
    claim = get_object_or_404(Claim, pk=claim_id, wish=wish)
    form = ConfirmForm(request.POST, prefix=f"c{claim.pk}")
    if form.is_valid():
        try:
            services.wish_confirm(
                wish=wish,
                claim=claim,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("感谢您的确认和评价！"))
        return redirect("wishes:track", code=wish.code)
    return _track_page(request, wish, None, {claim.pk: form}, status=400)


@require_POST
@private
def track_not_done(request, code, claim_id):
    """The resident says "还没实现 / 有问题": back to the community and the claimant, with the reason."""
    wish, follower = resident_wish_or_404(request, code)
    if follower is not None:
        raise Http404  # only the person who made the wish answers for it
    claim = get_object_or_404(Claim, pk=claim_id, wish=wish)
    form = NotDoneForm(request.POST, prefix=f"n{claim.pk}")
    if form.is_valid():
        try:
            services.wish_report_not_done(wish=wish, claim=claim, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("已经告诉社区和认领方，他们会尽快联系您。"))
            return redirect("wishes:track", code=wish.code)
    return _track_page(request, wish, None, {claim.pk: form}, status=400)


@private
def track_photo(request, code, claim_id):
    wish, follower = resident_wish_or_404(request, code)
    if follower is not None:
        raise Http404
    return photo_response(get_object_or_404(Claim, pk=claim_id, wish=wish))
