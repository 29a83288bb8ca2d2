"""Signed, expiring check-in tokens for the QR code shown at an activity.

The organiser's phone shows a QR code of /volunteers/checkin/<token>/; the
token names the activity and is signed with the site's SECRET_KEY and a
timestamp, so it cannot be made up for another activity, and a photo of it
passed around stops working after VOLUNTEER_CHECKIN_QR_MINUTES. The page
showing it refreshes well before then.
"""

from django.conf import settings
from django.core import signing

_SALT = "volunteers.checkin"


def checkin_token(activity):
    return signing.TimestampSigner(salt=_SALT).sign(str(activity.pk))


class TokenExpired(Exception):
    pass


class TokenInvalid(Exception):
    pass


def checkin_activity_id(token):
    """The activity id a token names; TokenExpired or TokenInvalid otherwise."""
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        value = signer.unsign(token, max_age=settings.VOLUNTEER_CHECKIN_QR_MINUTES * 60)
    except signing.SignatureExpired:
        raise TokenExpired from None
    except signing.BadSignature:
        raise TokenInvalid from None
    if not value.isdigit():
        raise TokenInvalid
    return int(value)
