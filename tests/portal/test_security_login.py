"""Signing in: limits per account and per address, never a 500, and no lockout by forged headers."""

import pytest
from axes.models import AccessAttempt
from django.core import mail

from portal.models import User

LOGIN = "/accounts/login/"
RESET = "/accounts/password_reset/"
PASSWORD = "pass-12345"  # tests.factories.UserFactory


def _login(client, username, password="wrong-password", address="203.0.113.10", **headers):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def test_a_username_no_account_can_have_is_refused_with_a_message(client, world):
    response = _login(client, "a" * 300)
    assert response.status_code == 200
    assert "账号最多 150 个字符" in response.content.decode()
    assert not AccessAttempt.objects.exists()  # nothing stored: 255 characters is axes' column


def test_spraying_many_usernames_from_one_address_is_stopped(client, world, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS_PER_HOUR = 10
    for n in range(10):
        assert _login(client, f"guess{n}").status_code == 200
    refused = _login(client, "secretary_a", PASSWORD)
    assert refused.status_code == 429
    assert "登录失败的次数过多" in refused.content.decode()
    # The real user, from their own address, is not affected.
    assert _login(client, "secretary_a", PASSWORD, address="198.51.100.20").status_code == 302


def test_a_forged_forwarding_header_cannot_lock_a_real_user_out(client, world, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS_PER_HOUR = 3
    victim = "198.51.100.20"
    for _ in range(8):
        _login(
            client, "secretary_a", address="203.0.113.66", HTTP_X_FORWARDED_FOR=victim, HTTP_X_REAL_IP=victim
        )
    assert _login(client, "secretary_a", PASSWORD, address=victim).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}


def test_the_per_user_lockout_still_holds_from_the_attackers_address(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "secretary_b")
    locked = _login(client, "secretary_b", PASSWORD)
    assert locked.status_code in (403, 429)
    assert _login(client, "secretary_b", PASSWORD, address="198.51.100.21").status_code == 302


@pytest.fixture
def with_email(world):
    User.objects.filter(pk=world.secretary_a.pk).update(email="secretary@example.org")


def test_password_reset_mails_are_limited_per_address_and_per_mailbox(client, world, with_email):
    answers = [
        client.post(RESET, {"email": "secretary@example.org"}, REMOTE_ADDR="203.0.113.30").status_code
        for _ in range(4)
    ]
    assert answers == [302, 302, 302, 429]
    assert len(mail.outbox) == 3
    other = [
        client.post(RESET, {"email": f"nobody{n}@example.org"}, REMOTE_ADDR="203.0.113.31").status_code
        for n in range(11)
    ]
    assert other[:10] == [302] * 10 and other[10] == 429
