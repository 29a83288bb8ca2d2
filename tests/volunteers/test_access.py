"""Every volunteers page asks for a login first."""

import pytest
from django.urls import reverse

PAGES = [
    ("activity_list", []),
    ("activity_detail", [1]),
    ("activity_signup", [1]),
    ("activity_withdraw", [1]),
    ("checkin", ["1:abc:def"]),
    ("team_list", []),
    ("team_detail", [1]),
    ("team_join", [1]),
    ("team_leave", [1]),
    ("membership_decide", [1]),
    ("my_statement", []),
    ("organise_list", []),
    ("activity_new", []),
    ("attendance", [1]),
    ("activity_edit", [1]),
    ("activity_cancel", [1]),
    ("attendance_mark", [1]),
    ("attendance_check_out_all", [1]),
    ("attendance_add", [1]),
    ("activity_verify", [1]),
    ("activity_qr", [1]),
    ("record_update", [1]),
    ("volunteer_statement", [1]),
    ("records_export", []),
    ("dual_reports", []),
]


@pytest.mark.parametrize("name, args", PAGES, ids=[p[0] for p in PAGES])
def test_anonymous_visitors_are_sent_to_the_login(client, db, name, args):
    url = reverse(f"volunteers:{name}", args=args)
    for response in (client.get(url), client.post(url)):
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "name, args",
    [
        ("volunteer_statement", [1]),
        ("records_export", []),
        ("dual_reports", []),
    ],
)
def test_staff_pages_refuse_volunteers(crew, login, name, args):
    response = login(crew.member_user).get(reverse(f"volunteers:{name}", args=args))
    assert response.status_code == 403
