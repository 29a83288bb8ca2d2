"""Finding a lost tracking code with the phone number and a one-time SMS code."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_ratelimit.decorators import ratelimit

from portal.middleware import private
from wishes import services
from wishes.forms import (
    RecoveryCodeForm,
    RecoveryPhoneForm,
)

SESSION_RECOVERY_PHONE = "wishes_recovery_phone"


def _recovery_rate(group, request):
    return f"{settings.WISH_RECOVERY_PER_ADDRESS}/h"


@never_cache
@ratelimit(
    key="portal.net.ratelimit_key", rate=_recovery_rate, method="POST", block=False, group="wishes.recover"
)
@private
def track_recover(request):
    """Step 1: the phone number. The answer is the same whether it filed a wish or not."""
    form = RecoveryPhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if getattr(request, "limited", False):
            form.add_error(None, _("这个网络获取验证码太频繁了，请一小时后再试。"))
        else:
            phone = form.cleaned_data["phone"]
            try:
                services.tracking_recovery_request(phone=phone)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                request.session[SESSION_RECOVERY_PHONE] = phone
                messages.success(request, _("如果这个手机号提交或关注过心愿，验证码短信马上就到。"))
                return redirect("wishes:track_recover_code")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "wishes/track_recover.html", {"form": form}, status=status)


@never_cache
@private
def track_recover_code(request):
    """Step 2: the one-time code; then the phone's tracking codes."""
    phone = request.session.get(SESSION_RECOVERY_PHONE)
    if not phone:
        return redirect("wishes:track_recover")
    form = RecoveryCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entries = services.tracking_recovery_check(phone=phone, otp=form.cleaned_data["otp"].strip())
        except ValidationError as error:
            for message in error.message_dict.get("otp", error.messages):
                form.add_error("otp", message)
        else:
            del request.session[SESSION_RECOVERY_PHONE]
            return render(request, "wishes/track_recovered.html", {"entries": entries})
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "wishes/track_recover_code.html", {"form": form, "phone": phone}, status=status)
