"""Delivery by channel, through one interface.

Every channel has `send(*, address, subject, text, kind, params)`, returns a
reference (or "") and raises `SendError` when the message did not go out.
The portal itself is not a channel: a notification is in the recipient's
inbox from the moment it is written.
"""

import smtplib
import socket

from django.conf import settings
from django.core.mail import send_mail

from inbox.models import Channel
from inbox.sms import SendError, sms_backend


class EmailChannel:
    name = Channel.EMAIL

    def send(self, *, address, subject, text, kind="", params=None):
        try:
            send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [address])
        except smtplib.SMTPRecipientsRefused as error:
            raise SendError(f"recipient refused: {error}", retry=False) from None
        except (
            smtplib.SMTPServerDisconnected,
            smtplib.SMTPConnectError,
            ConnectionError,
            socket.gaierror,
        ) as error:
            raise SendError(f"mail server unavailable: {error}", retry=True) from None
        except (smtplib.SMTPException, OSError) as error:
            raise SendError(f"mail not sent: {error}", retry=False) from None
        return ""


class SmsChannel:
    name = Channel.SMS

    def send(self, *, address, subject, text, kind="", params=None):
        return sms_backend().send(phone=address, text=text, kind=kind, params=params or {})


CHANNELS = {Channel.EMAIL: EmailChannel(), Channel.SMS: SmsChannel()}


def channel(name):
    return CHANNELS[Channel(name)]


__all__ = ["CHANNELS", "SendError", "channel"]
