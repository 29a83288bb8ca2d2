"""Whole-page caching of public pages for anonymous visitors.

The public pages (the wish wall, the wish form, tracking pages) look the same
for every visitor without a session, in a given language. Rendering them is
most of their cost, so they are kept in the shared cache and served from it.
Keys are made of the language, the path and the inputs each view names
(known parameters with valid values), so the number of entries is bounded
by the data, not by what visitors type into the address bar.

The one part that differs per visitor is the CSRF token in their forms (the
wish form, the language switcher). While a cached page or fragment is
rendered, the template context holds a placeholder instead of a token
(`portal.context_processors.portal`), and `CsrfPlaceholderMiddleware` puts
the visitor's own token in its place in every response. Visitors with a
session or a message waiting, and anything but GET and HEAD, always get a
freshly rendered page.

In front of the shared cache, each process keeps the pages it served last
for a few seconds (`PAGECACHE_LOCAL_SECONDS`, default 3; 0 turns it off): a
hit then costs no round trip to Redis at all, and while Redis is away the
pages are still served from there, and rendered and kept there on a miss.
The keys carry everything a page depends on (a tracking page's version, so
a change shows at once); the wall may lag by those seconds beyond its own
cache time, which the claim itself checks anyway.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

PLACEHOLDER = "csrf-placeholder-3b9f0c2e"
ATTRIBUTE = "portal_csrf_placeholder"


class _LocalPages:
    """The pages this process served last: a few seconds each, at most MAX_ENTRIES (least recent out)."""

    MAX_ENTRIES = 256

    def __init__(self):
        self._lock = threading.Lock()
        self._pages = OrderedDict()

    def get(self, key):
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                return None
            if found[0] <= time.monotonic():
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return found[1]

    def set(self, key, value, seconds):
        if seconds <= 0:
            return
        with self._lock:
            self._pages[key] = (time.monotonic() + seconds, value)
            self._pages.move_to_end(key)
            while len(self._pages) > self.MAX_ENTRIES:
                self._pages.popitem(last=False)

    def clear(self):
        with self._lock:
            self._pages.clear()


LOCAL = _LocalPages()


def _local_seconds(seconds):
    return min(seconds, getattr(settings, "PAGECACHE_LOCAL_SECONDS", 3))


def _anonymous_and_plain(request):
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
        and not request.user.is_authenticated
    )


def _key(parts, request):
    # The path, never the raw query string: any visitor can make up a new one
    # on every request, and each would be a new entry.
    path = hashlib.sha256(request.path.encode()).hexdigest()[:32]
    return ":".join(["page", get_language() or "", path, *map(str, parts)])


@contextmanager
def placeholder_tokens(request):
    """Render with the CSRF placeholder, for output that will be cached."""
    previous = getattr(request, ATTRIBUTE, False)
    setattr(request, ATTRIBUTE, True)
    try:
        yield
    finally:
        setattr(request, ATTRIBUTE, previous)


class CsrfPlaceholderMiddleware:
    """Puts the visitor's CSRF token where a cached page or fragment holds the placeholder.

    Sits below CsrfViewMiddleware, so the token cookie it may create is set
    on the way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.marker = PLACEHOLDER.encode()

    def __call__(self, request):
        response = self.get_response(request)
        if not response.streaming and self.marker in response.content:
            # The same masked token serves every form on the page.
            response.content = response.content.replace(self.marker, get_token(request).encode())
        return response


def serve(request, render, *, seconds, parts=None):
    """The response of `render()`, from the cache when the visitor allows it.

    The key is the language, the path and `parts`: every other input the page
    depends on (query parameters, a version), normalised by the view so that
    only known parameters with valid values make a key. A page given no
    `parts` but asked for with a query string is rendered and not kept, so
    made-up parameters never fill the cache. Only 200 responses without
    cookies are kept.
    """
    if not _anonymous_and_plain(request):
        return render()
    if parts is None and request.META.get("QUERY_STRING"):
        return render()
    key = _key(parts or (), request)
    hit = LOCAL.get(key)
    if hit is None:
        hit = cache.get(key)
        if hit is not None:
            LOCAL.set(key, hit, _local_seconds(seconds))
    if hit is not None:
        content_type, body = hit
        return HttpResponse(body, content_type=content_type)
    with placeholder_tokens(request):
        response = render()
    if response.status_code == 200 and not response.streaming and not response.cookies:
        kept = (response["Content-Type"], response.content)
        cache.set(key, kept, seconds)
        LOCAL.set(key, kept, _local_seconds(seconds))
    return response


def public_page(seconds, parts=None):
    """Decorator: serve() for a whole view; `parts(request)` gives its normalised inputs."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            key = parts(request) if parts is not None else None
            return serve(request, lambda: view(request, *args, **kwargs), seconds=seconds, parts=key)

        return wrapper

    return decorator


def placeholder_context(request):
    """Context for the template of a page being rendered for the cache."""
    return {"csrf_token": PLACEHOLDER} if getattr(request, ATTRIBUTE, False) else {}
