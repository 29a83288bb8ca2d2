"""A deployment check: the SMS backend named in SMS_SENDER exists and is configured."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def sms_backend_check(app_configs, **kwargs):
    from django.core.exceptions import ImproperlyConfigured
    from django.utils.module_loading import import_string

    try:
        backend = import_string(settings.SMS_SENDER)
    except ImportError:
        return [
            Error(
                f"SMS_SENDER={settings.SMS_SENDER!r} cannot be imported.",
                hint="Use inbox.sms.LoggingSmsBackend or inbox.sms.AliyunSmsBackend (see docs/inbox.md).",
                id="inbox.E001",
            )
        ]
    try:
        backend()
    except ImproperlyConfigured as error:
        return [Error(str(error), hint="See docs/inbox.md, “SMS”.", id="inbox.E002")]
    return []
