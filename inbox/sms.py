"""SMS backends, chosen by the SMS_SENDER setting (a dotted path).

A backend is a class with `send(*, phone, text, kind, params)` that returns
the provider's reference for the message, or raises `SendError`. Chinese SMS
providers only deliver text from templates approved beforehand, so a backend
gets both the finished text and the notification's kind and parameters.

- `LoggingSmsBackend` writes a log line with the number masked (development,
  and any deployment without an SMS contract).
- `AliyunSmsBackend` sends through Aliyun SMS (短信服务, dysmsapi), with a
  signed request (HMAC-SHA1, signature version 1.0).
"""

import base64
import datetime
import hashlib
import hmac
import json
import logging
import uuid
from urllib.error import HTTPError, URLError
from urllib.parse import quote
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from portal.privacy import mask_phone

log = logging.getLogger("inbox.sms")


class SendError(Exception):
    """A message that did not go out. `retry`: whether trying again later may work.

    `retry` is False whenever the provider may have accepted the message (a
    timeout after the request was sent): a resident would rather miss one SMS
    than get it twice.
    """

    def __init__(self, message, *, retry):
        super().__init__(message)
        self.retry = retry


class LoggingSmsBackend:
    """Writes what would be sent; never contacts a gateway."""

    def send(self, *, phone, text, kind="", params=None):
        log.info("SMS to %s: %s", mask_phone(phone), text)
        return "logged"


def sms_backend():
    return import_string(settings.SMS_SENDER)()


# --- Aliyun SMS -----------------------------------------------------------------------------

# Aliyun answers these codes for requests that may work later; every other
# code (a bad number, a template not approved, a wrong key) will fail again.
_ALIYUN_RETRY = {"isv.BUSINESS_LIMIT_CONTROL", "isp.SYSTEM_ERROR", "Throttling.User", "ServiceUnavailable"}
# A template variable holds at most this many characters.
ALIYUN_PARAM_LENGTH = 35


def _percent(value):
    """Aliyun's percent-encoding: RFC 3986, space as %20, `~` kept."""
    return quote(str(value), safe="~")


def aliyun_signature(secret, params, method="GET"):
    """Signature version 1.0 of an RPC request: HMAC-SHA1 over the sorted, encoded query."""
    canonical = "&".join(f"{_percent(k)}={_percent(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{_percent('/')}&{_percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSmsBackend:
    """Aliyun SMS SendSms (API version 2017-05-25).

    Each kind of notification needs an approved template (SMS_TEMPLATES,
    kind=TemplateCode); kinds without one go through SMS_DEFAULT_TEMPLATE
    with the whole text in its one variable `${content}`.
    """

    API_VERSION = "2017-05-25"

    def __init__(self):
        missing = [
            name
            for name in ("SMS_ALIYUN_ACCESS_KEY_ID", "SMS_ALIYUN_ACCESS_KEY_SECRET", "SMS_SIGN_NAME")
            if not getattr(settings, name)
        ]
        if missing:
            raise ImproperlyConfigured(f"AliyunSmsBackend needs {', '.join(missing)}.")
        self.key_id = settings.SMS_ALIYUN_ACCESS_KEY_ID
        self.secret = settings.SMS_ALIYUN_ACCESS_KEY_SECRET
        self.endpoint = settings.SMS_ALIYUN_ENDPOINT
        self.timeout = settings.SMS_TIMEOUT_SECONDS

    def _template(self, kind, text, params):
        code = settings.SMS_TEMPLATES.get(kind)
        if code:
            values = {k: str(v)[:ALIYUN_PARAM_LENGTH] for k, v in (params or {}).items() if k != "v"}
            return code, values
        if not settings.SMS_DEFAULT_TEMPLATE:
            raise SendError(f"no SMS template for {kind!r} and no SMS_DEFAULT_TEMPLATE", retry=False)
        return settings.SMS_DEFAULT_TEMPLATE, {"content": text}

    def request_params(self, *, phone, text, kind, params, now=None):
        template, values = self._template(kind, text, params)
        now = now or datetime.datetime.now(datetime.UTC)
        query = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": settings.SMS_ALIYUN_REGION,
            "SignName": settings.SMS_SIGN_NAME,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template,
            "TemplateParam": json.dumps(values, ensure_ascii=False, separators=(",", ":")),
            "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": self.API_VERSION,
        }
        query["Signature"] = aliyun_signature(self.secret, query)
        return query

    def send(self, *, phone, text, kind="", params=None):
        query = self.request_params(phone=phone, text=text, kind=kind, params=params)
        url = f"{self.endpoint}/?" + "&".join(f"{_percent(k)}={_percent(v)}" for k, v in query.items())
        request = Request(url, headers={"Accept": "application/json"}, method="GET")
        try:
            with urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except HTTPError as error:
            body = error.read()
            if not body:
                raise SendError(f"HTTP {error.code}", retry=error.code >= 500) from None
        except TimeoutError:
            # The request went out; Aliyun may have sent the message.
            raise SendError("timed out waiting for Aliyun", retry=False) from None
        except (URLError, ConnectionError, OSError) as error:
            # Refused, unreachable, no DNS: nothing was sent.
            raise SendError(f"cannot reach {self.endpoint}: {error}", retry=True) from None
        return self._result(body)

    @staticmethod
    def _result(body):
        try:
            answer = json.loads(body)
        except ValueError:
            raise SendError("Aliyun answered something that is not JSON", retry=False) from None
        code = answer.get("Code", "")
        if code == "OK":
            return answer.get("BizId", "") or answer.get("RequestId", "")
        message = f"{code}: {answer.get('Message', '')}"[:300]
        log.warning("Aliyun SMS refused: %s", message)
        raise SendError(message, retry=code in _ALIYUN_RETRY)
