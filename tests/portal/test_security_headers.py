"""Headers every page sends: a strict Content-Security-Policy, no-store for personal pages; staff sessions."""

import base64
import hashlib
import re
from pathlib import Path

import import_export
import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import WishFactory
from wishes.models import Wish

PASSWORD = "pass-12345"


def _script_src(response):
    policy = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))["script-src"]


@pytest.mark.parametrize("path", ["/", "/wishes/", "/wishes/new/", "/accounts/login/"])
def test_public_pages_allow_scripts_from_this_site_only(client, world, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "'unsafe-inline'" not in _script_src(response)
    assert _script_src(response).startswith("'self'")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "object-src 'none'" in response["Content-Security-Policy"]


def test_no_template_holds_inline_script():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if inline_script.search(text) or handler.search(text):
            offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert offenders == []


def test_the_one_allowed_handler_hash_matches_import_exports_template():
    from portal.middleware import CSP

    template = Path(import_export.__file__).parent / "templates/admin/import_export/export.html"
    handlers = set(re.findall(r'\son[a-z]+="([^"]*)"', template.read_text(encoding="utf-8")))
    assert handlers == {"onSelectToggleChange(event)"}
    digest = base64.b64encode(hashlib.sha256(b"onSelectToggleChange(event)").digest()).decode()
    assert f"'sha256-{digest}'" in CSP


@pytest.mark.parametrize(
    "who, path",
    [
        ("volunteer", "/me/"),
        ("street_staff", "/dashboard/"),
        ("street_staff", "/dashboard/numbers.xlsx"),
        ("secretary_a", "/admin/grids/household/"),
        ("gridworker_a", "/grids/visits/"),
        ("volunteer", "/wishes/"),
    ],
)
def test_every_signed_in_page_is_private_and_not_stored(login, world, who, path):
    response = login(getattr(world, who)).get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_the_residents_tracking_page_is_not_stored(client, world):
    wish = WishFactory(grid=world.grid_a, status=Wish.Status.PUBLISHED)
    for _ in range(2):  # the second answer comes from the page cache
        response = client.get(f"/wishes/track/{wish.code}/")
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"


def test_anonymous_public_pages_stay_cacheable(client, world):
    assert "no-store" not in client.get("/wishes/").get("Cache-Control", "")


def _sign_in(client, username):
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client.session


def test_staff_sessions_end_after_hours_without_a_request(client, world, settings):
    session = _sign_in(client, "secretary_a")
    assert session.get_expiry_age() == settings.STAFF_SESSION_IDLE_HOURS * 3600 == 8 * 3600


def test_grid_workers_get_the_staff_session_too(client, world):
    assert _sign_in(client, "gridworker_a").get_expiry_age() == 8 * 3600


def test_volunteers_keep_the_longer_phone_session(client, world, settings):
    assert _sign_in(client, "volunteer").get_expiry_age() == settings.SESSION_COOKIE_AGE == 14 * 24 * 3600


def test_a_staff_session_moves_on_with_use(client, world):
    from portal.middleware import _TOUCHED_KEY

    _sign_in(client, "secretary_a")
    session = client.session
    session[_TOUCHED_KEY] = 0  # long ago
    session.save()
    client.get(reverse("dashboard:me"))
    assert client.session[_TOUCHED_KEY] > 0
    assert client.session.get_expiry_age() == 8 * 3600
