"""How people hear about their wishes: email now, SMS behind a small interface for later.

The SMS sender is chosen by the SMS_SENDER setting (a dotted path). The only
one today writes a log line with the number masked; a real gateway is a
class with the same `send(phone, text)` method.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from portal.privacy import mask_phone

log = logging.getLogger("wishes.sms")


class LoggingSmsSender:
    """Writes what would be sent; never contacts a gateway."""

    def send(self, phone, text):
        log.info("SMS to %s: %s", mask_phone(phone), text)
        return True


def sms_sender():
    return import_string(settings.SMS_SENDER)()


def send_sms(phone, text):
    if not phone:
        return False
    return sms_sender().send(phone, text)


def send_email(recipients, subject, body):
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return 0
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
