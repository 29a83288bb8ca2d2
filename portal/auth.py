"""Signing in and resetting a password, with limits per account and per address.

django-axes locks a username after AXES_FAILURE_LIMIT failures from one
address (the pair, so nobody can lock a real user out from elsewhere). It
compares every lockout parameter against that one limit, so adding the
address alone there would lock a whole office behind one NAT after five
typos. Password spraying — a few guesses at each of many usernames from one
address — is slowed here instead, with its own, higher limit: after
LOGIN_FAILURES_PER_ADDRESS_PER_HOUR failed sign-ins, that address gets a
429 page for the rest of the hour. The address is `portal.net.client_ip`,
which ignores forwarding headers unless CLIENT_IP_HEADER names the one the
operator's own proxy sets, so a forged header neither escapes the limit nor
puts it on someone else.

Password-reset mails are limited per address and per e-mail address, so the
form cannot be used to flood a mailbox or the mail server.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage
from django_ratelimit.decorators import ratelimit

from portal.net import ratelimit_key

USERNAME_MAX_LENGTH = 150  # portal.User.username
_FAILURES_GROUP = "portal.login.failures"


def _failures_rate(group=None, request=None):
    return f"{settings.LOGIN_FAILURES_PER_ADDRESS_PER_HOUR}/h"


class PortalAuthenticationForm(AuthenticationForm):
    """The sign-in form; a username no account can have is refused before any lookup."""

    def clean_username(self):
        username = self.cleaned_data.get("username") or ""
        if len(username) > USERNAME_MAX_LENGTH:
            raise ValidationError(
                _("账号最多 %(max)s 个字符。") % {"max": USERNAME_MAX_LENGTH}, code="username_too_long"
            )
        return username


def _address_out_of_tries(request):
    usage = get_usage(
        request, group=_FAILURES_GROUP, key=ratelimit_key, rate=_failures_rate(), increment=False
    )
    return usage is not None and usage["count"] >= usage["limit"]


def count_failed_login(sender, credentials, request=None, **kwargs):
    """Receiver of user_login_failed: one more failure for the client's address."""
    if request is not None:
        get_usage(request, group=_FAILURES_GROUP, key=ratelimit_key, rate=_failures_rate(), increment=True)


def login_view(request, *args, **kwargs):
    if request.method == "POST" and _address_out_of_tries(request):
        return render(request, "registration/too_many_failures.html", status=429)
    view = auth_views.LoginView.as_view(authentication_form=PortalAuthenticationForm)
    return view(request, *args, **kwargs)


def _reset_email_key(group, request):
    return (request.POST.get("email") or "").strip().lower()[:254]


@ratelimit(key=ratelimit_key, rate="10/h", method="POST", block=True, group="portal.password_reset.address")
@ratelimit(key=_reset_email_key, rate="3/h", method="POST", block=True, group="portal.password_reset.email")
def password_reset_view(request, *args, **kwargs):
    view = auth_views.PasswordResetView.as_view()
    return view(request, *args, **kwargs)


def connect_signals():
    user_login_failed.connect(count_failed_login, dispatch_uid="portal.auth.count_failed_login")
