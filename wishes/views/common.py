"""What the wish pages share: the per-phone and per-address limits, guesses at tracking codes, the resident's wish by its code, a fulfilment photo."""

import time

from django.conf import settings
from django.http import FileResponse, Http404
from django_ratelimit.core import get_usage
from django_ratelimit.exceptions import Ratelimited

from portal.cache import rate_limit_cache
from portal.net import ratelimit_key
from wishes import selectors

REVIEW = "wishes.review_wish"


SESSION_NEW_CODE = "wishes_new_code"


MAX_WALL_PAGE = 500  # deeper pages are never useful and cost a long OFFSET


TRACK_CACHE_SECONDS = 300


WALL_CACHE_SECONDS = 10  # a card claimed meanwhile answers "名额已满" when someone tries


FORM_CACHE_SECONDS = 60  # the street and community lists are kept as long


def submit_rates():
    return (
        ("wishes.submit.hour", f"{settings.WISH_SUBMITS_PER_HOUR}/h"),
        ("wishes.submit.day", f"{settings.WISH_SUBMITS_PER_DAY}/d"),
    )


def form_posts_rate(group, request):
    # Every post of the form in all, saved or not: well above the saved-wish ceiling.
    return f"{settings.WISH_SUBMITS_PER_HOUR * 4}/h"


def submit_exempt(request):
    # Grid workers and staff file wishes for residents who have no phone of
    # their own; they are signed in and accountable.
    return request.user.is_authenticated and request.user.has_perm("wishes.add_wish")


def address_limit_reached(request):
    """Whether the client address used up its saved wishes (per hour or per day)."""
    if submit_exempt(request):
        return False
    for group, rate in submit_rates():
        usage = get_usage(request, group=group, key=ratelimit_key, rate=rate, increment=False)
        if usage["count"] >= usage["limit"]:
            return True
    return False


def count_saved(request):
    if submit_exempt(request):
        return
    for group, rate in submit_rates():
        get_usage(request, group=group, key=ratelimit_key, rate=rate, increment=True)


def misses_key(request):
    window = int(time.time() // 3600)
    return f"wishes:track-misses:{ratelimit_key(None, request)}:{window}"


def out_of_guesses(misses):
    return misses >= settings.WISH_TRACK_MISSES_PER_HOUR


def check_track_limit(request):
    if out_of_guesses(rate_limit_cache().get(misses_key(request), 0)):
        raise Ratelimited


def count_miss(request):
    # The rate-limit cache: the same keys as the default one, but it keeps
    # counting in the process while Redis is unreachable.
    counter = rate_limit_cache()
    key = misses_key(request)
    counter.add(key, 0, 3600 + 60)
    try:
        counter.incr(key)
    except ValueError:  # expired between the two calls
        counter.add(key, 1, 3600 + 60)


def resident_wish_or_404(request, code):
    """The wish (and follower) behind a tracking code; wrong codes count against the address."""
    check_track_limit(request)
    wish, follower = selectors.find_by_code(code)
    if wish is None:
        count_miss(request)
        raise Http404
    return wish, follower


def int_param(request, name, default=None, maximum=None):
    value = request.GET.get(name, "")
    if not value.isdigit():
        return default
    number = int(value)
    if maximum is not None:
        number = min(number, maximum)
    return number or default


def photo_response(claim):
    """A claim's fulfilment photo, to those a view let through: private, never a public URL."""
    if not claim.photo:
        raise Http404
    try:
        handle = claim.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response
