"""Whole-page caching of public pages for anonymous visitors."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.template import engines
from django.test import Client, RequestFactory

from portal import pagecache

TEMPLATE = engines["django"].from_string(
    "<form method=post>{% csrf_token %}</form><p>{{ n }}</p><form method=post>{% csrf_token %}</form>"
)


@pytest.fixture
def counted_view():
    calls = []

    def view(request):
        calls.append(request)
        return HttpResponse(TEMPLATE.render({"n": len(calls)}, request))

    # As in the middleware stack: the placeholder is filled on the way out.
    wrapped = pagecache.CsrfPlaceholderMiddleware(pagecache.public_page(60)(view))
    wrapped.calls = calls
    return wrapped


def _request(path="/page/", **cookies):
    request = RequestFactory().get(path)
    request.COOKIES.update(cookies)
    request.user = AnonymousUser()
    return request


def _tokens(response):
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())


def test_a_second_anonymous_visit_is_served_from_the_cache_with_its_own_token(counted_view, db):
    first = counted_view(_request())
    second = counted_view(_request())
    assert len(counted_view.calls) == 1
    assert "<p>1</p>" in second.content.decode()
    assert pagecache.PLACEHOLDER not in first.content.decode() + second.content.decode()
    first_tokens, second_tokens = _tokens(first), _tokens(second)
    assert len(second_tokens) == 2 and second_tokens[0] == second_tokens[1]
    assert first_tokens[0] != second_tokens[0]  # each visitor gets a token of their own


def test_pages_differ_by_path_and_query(counted_view, db):
    counted_view(_request("/page/?page=1"))
    counted_view(_request("/page/?page=2"))
    assert len(counted_view.calls) == 2


@pytest.mark.parametrize("cookie", ["sessionid", "messages"])
def test_visitors_with_a_session_or_messages_get_a_fresh_page(counted_view, db, cookie):
    counted_view(_request())
    counted_view(_request(**{cookie: "x"}))
    assert len(counted_view.calls) == 2


def test_signed_in_users_never_share_a_page(counted_view, world):
    request = _request()
    request.user = world.volunteer
    counted_view(request)
    counted_view(request)
    assert len(counted_view.calls) == 2


def test_only_successful_pages_are_kept(db):
    calls = []

    def missing(request):
        calls.append(1)
        return HttpResponse("gone", status=404)

    view = pagecache.public_page(60)(missing)
    view(_request())
    view(_request())
    assert len(calls) == 2


def test_a_cached_form_still_passes_the_csrf_check(db):
    """The token put into a cached wish form is accepted on submit."""
    client = Client(enforce_csrf_checks=True)
    other = Client(enforce_csrf_checks=True)
    other.get("/wishes/new/")  # renders and caches the page
    page = client.get("/wishes/new/")  # served from the cache
    token = _tokens(page)[0]
    response = client.post("/wishes/new/", {"csrfmiddlewaretoken": token, "name": ""})
    assert response.status_code == 400  # the form's own errors, not a CSRF 403


def test_fragments_rendered_for_the_cache_never_hold_a_real_token(world, rf):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = world.volunteer
    with pagecache.placeholder_tokens(request):
        html = render_to_string("base.html", {}, request=request)
    assert pagecache.PLACEHOLDER in html
    assert not re.search(rf'name="csrfmiddlewaretoken" value="(?!{pagecache.PLACEHOLDER})', html)


def test_the_middleware_fills_the_placeholder_in_any_response(db, rf):
    request = rf.get("/")

    def view(request):
        return HttpResponse(f"<input value='{pagecache.PLACEHOLDER}'>")

    response = pagecache.CsrfPlaceholderMiddleware(view)(request)
    assert pagecache.PLACEHOLDER not in response.content.decode()
    assert "CSRF_COOKIE" in request.META


# --- the process's own copy, in front of the shared cache ---------------------------------------------


def test_a_page_served_once_is_served_again_from_the_process_without_the_shared_cache(settings, monkeypatch):
    from django.core.cache import cache
    from django.test import RequestFactory

    from portal import pagecache

    settings.PAGECACHE_LOCAL_SECONDS = 3
    request = RequestFactory().get("/wishes/")
    request.user = AnonymousUser()
    rendered = []

    def render():
        rendered.append(1)
        return HttpResponse("墙", content_type="text/html; charset=utf-8")

    assert pagecache.serve(request, render, seconds=10, parts=("a",)).content.decode() == "墙"

    def broken(*args, **kwargs):
        raise AssertionError("the shared cache was asked")

    monkeypatch.setattr(cache, "get", broken)
    again = pagecache.serve(request, render, seconds=10, parts=("a",))
    assert again.content.decode() == "墙" and rendered == [1]


def test_the_process_copy_expires_and_is_bounded(settings, monkeypatch):
    from portal import pagecache

    local = pagecache._LocalPages()
    local.set("k", ("text/html", b"x"), 3)
    assert local.get("k") == ("text/html", b"x")
    clock = pagecache.time.monotonic() + 5
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: clock)
    assert local.get("k") is None
    local.set("zero", ("text/html", b"x"), 0)
    assert local.get("zero") is None
    for n in range(local.MAX_ENTRIES + 10):
        local.set(n, ("text/html", b"x"), 3)
    assert local.get(0) is None and local.get(local.MAX_ENTRIES + 9) is not None
