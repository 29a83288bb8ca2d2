"""A lost tracking code: a one-time code by SMS to the phone given, then the codes of that phone's wishes."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from wishes import events, selectors
from wishes.models import TrackingRecovery, Wish

RECOVERY_MINUTES = 10
RECOVERY_ATTEMPTS = 5


def _otp_hash(phone, otp):
    return salted_hmac("wishes.tracking-recovery", f"{phone}:{otp}").hexdigest()


@transaction.atomic
def tracking_recovery_request(*, phone, now=None):
    """Send a one-time code to `phone` if it filed or followed a wish; the same answer either way.

    Refuses once the number asked WISH_RECOVERY_PER_PHONE times in the last
    hour, known or not, so the refusal tells nothing either.
    """
    now = now or timezone.now()
    recent = TrackingRecovery.objects.filter(phone=phone, created_at__gte=now - datetime.timedelta(hours=1))
    if recent.count() >= settings.WISH_RECOVERY_PER_PHONE:
        raise ValidationError(_("这个手机号最近已多次获取验证码，请一小时后再试。"))
    otp = f"{secrets.randbelow(10**6):06d}"
    recovery = TrackingRecovery.objects.create(
        phone=phone,
        code_hash=_otp_hash(phone, otp),
        created_at=now,
        expires_at=now + datetime.timedelta(minutes=RECOVERY_MINUTES),
    )
    if selectors.phone_has_wishes(phone):
        events.tracking_code_requested.send(sender=Wish, phone=phone, otp=otp, minutes=RECOVERY_MINUTES)
    return recovery


def tracking_recovery_check(*, phone, otp, now=None):
    """The tracking entries of `phone` if `otp` is its latest unused, unexpired code; else ValidationError.

    Each try is counted in a transaction of its own before the comparison, so
    a wrong guess is never rolled back, and a code dies after
    RECOVERY_ATTEMPTS tries.
    """
    now = now or timezone.now()
    wrong = ValidationError({"otp": _("验证码不正确或已过期，请核对或重新获取。")})
    recovery = (
        TrackingRecovery.objects.filter(phone=phone, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at", "-pk")
        .first()
    )
    if recovery is None:
        raise wrong
    with transaction.atomic():
        counted = TrackingRecovery.objects.filter(
            pk=recovery.pk, used_at__isnull=True, attempts__lt=RECOVERY_ATTEMPTS
        ).update(attempts=F("attempts") + 1)
    if not counted:
        raise ValidationError({"otp": _("尝试次数太多，请重新获取验证码。")})
    if not constant_time_compare(recovery.code_hash, _otp_hash(phone, (otp or "").strip())):
        raise wrong
    with transaction.atomic():
        TrackingRecovery.objects.filter(pk=recovery.pk, used_at__isnull=True).update(used_at=now)
    return selectors.tracking_entries_for_phone(phone)
