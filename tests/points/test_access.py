"""Every points page asks for a login first; the staff pages refuse volunteers."""

import pytest
from django.urls import reverse

PAGES = [
    ("stars", []),
    ("rules", []),
    ("rule_edit", [1]),
    ("entry_reverse", [1]),
]


@pytest.mark.parametrize("name, args", PAGES, ids=[p[0] for p in PAGES])
def test_anonymous_visitors_are_sent_to_the_login(client, db, name, args):
    url = reverse(f"points:{name}", args=args)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name, args", PAGES[1:], ids=[p[0] for p in PAGES[1:]])
def test_staff_pages_refuse_volunteers(crew, login, name, args):
    response = login(crew.member_user).get(reverse(f"points:{name}", args=args))
    assert response.status_code == 403


def test_the_old_leaderboard_address_still_leads_there(client, db):
    response = client.get("/volunteers/stars/?month=2026-03")
    assert response.status_code == 301 or response.status_code == 302
    assert response["Location"] == reverse("points:stars") + "?month=2026-03"
