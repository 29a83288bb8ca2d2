"""The Aliyun SMS adapter, against a fake Aliyun started on localhost by the test."""

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from inbox.sms import AliyunSmsBackend, SendError, aliyun_signature

SECRET = "fake-secret-for-tests"

# Numbers the fake server answers in a particular way.
THROTTLED = "13900000001"
BAD_NUMBER = "13900000002"
SLOW = "13900000003"
SERVER_ERROR = "13900000004"


def _expected_signature(params):
    """Aliyun's signature version 1.0, written out independently of the adapter."""

    def enc(value):
        return quote(value, safe="~")

    canonical = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
    to_sign = "GET&%2F&" + enc(canonical)
    return base64.b64encode(hmac.new(f"{SECRET}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


class FakeAliyun(BaseHTTPRequestHandler):
    requests = []

    def log_message(self, *args):
        pass

    def _answer(self, status, body):
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout test)

    def do_GET(self):
        params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        FakeAliyun.requests.append(params)
        signature = params.pop("Signature", "")
        if signature != _expected_signature(params):
            return self._answer(
                400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"}
            )
        phone = params["PhoneNumbers"]
        if phone == THROTTLED:
            return self._answer(200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发号码天级流控"})
        if phone == BAD_NUMBER:
            return self._answer(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"})
        if phone == SERVER_ERROR:
            self.send_response(503)
            self.end_headers()
            return None
        if phone == SLOW:
            time.sleep(2.5)
        return self._answer(
            200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r1"}
        )


@pytest.fixture
def fake_aliyun(settings):
    FakeAliyun.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAliyun)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_SENDER = "inbox.sms.AliyunSmsBackend"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = "fake-key-id"
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = SECRET
    settings.SMS_ALIYUN_ENDPOINT = f"http://127.0.0.1:{server.server_port}"
    settings.SMS_SIGN_NAME = "刘家堡街道"
    settings.SMS_TEMPLATES = {"wish_claimed": "SMS_100000001"}
    settings.SMS_DEFAULT_TEMPLATE = "SMS_100000000"
    settings.SMS_TIMEOUT_SECONDS = 1
    yield FakeAliyun
    server.shutdown()
    server.server_close()


def test_the_signature_matches_aliyuns_published_example():
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }
    assert aliyun_signature("testsecret", params) == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_a_kind_with_a_template_sends_its_parameters_signed(fake_aliyun):
    ref = AliyunSmsBackend().send(
        phone="13900000000",
        text="您的微心愿（查询码 ABCD）已由志愿者 李**认领。",
        kind="wish_claimed",
        params={"code": "ABCDEFGHJKLM", "claimant": "志愿者 李**", "v": "direct"},
    )
    assert ref == "900619746936498440^0"
    (sent,) = fake_aliyun.requests
    assert sent["Action"] == "SendSms" and sent["Version"] == "2017-05-25"
    assert sent["SignName"] == "刘家堡街道" and sent["TemplateCode"] == "SMS_100000001"
    assert sent["PhoneNumbers"] == "13900000000" and sent["AccessKeyId"] == "fake-key-id"
    # the variant marker is the portal's, not the template's
    assert json.loads(sent["TemplateParam"]) == {"code": "ABCDEFGHJKLM", "claimant": "志愿者 李**"}


def test_a_kind_without_a_template_goes_through_the_default_one_with_the_text(fake_aliyun):
    AliyunSmsBackend().send(
        phone="13900000000", text="明天 09:00 有活动", kind="activity_reminder", params={}
    )
    (sent,) = fake_aliyun.requests
    assert sent["TemplateCode"] == "SMS_100000000"
    assert json.loads(sent["TemplateParam"]) == {"content": "明天 09:00 有活动"}


def test_long_parameters_are_cut_to_aliyuns_limit(fake_aliyun):
    AliyunSmsBackend().send(
        phone="13900000000", text="x", kind="wish_claimed", params={"claimant": "单" * 50}
    )
    assert json.loads(fake_aliyun.requests[0]["TemplateParam"])["claimant"] == "单" * 35


def test_throttling_is_worth_retrying_and_a_bad_number_is_not(fake_aliyun):
    with pytest.raises(SendError) as throttled:
        AliyunSmsBackend().send(phone=THROTTLED, text="x", kind="wish_claimed", params={})
    assert throttled.value.retry and "BUSINESS_LIMIT_CONTROL" in str(throttled.value)
    with pytest.raises(SendError) as bad:
        AliyunSmsBackend().send(phone=BAD_NUMBER, text="x", kind="wish_claimed", params={})
    assert not bad.value.retry


def test_a_wrong_secret_is_refused_and_not_retried(fake_aliyun, settings):
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "not-the-secret"
    with pytest.raises(SendError) as error:
        AliyunSmsBackend().send(phone="13900000000", text="x", kind="wish_claimed", params={})
    assert "SignatureDoesNotMatch" in str(error.value) and not error.value.retry


def test_a_server_error_without_an_answer_is_retried(fake_aliyun):
    with pytest.raises(SendError) as error:
        AliyunSmsBackend().send(phone=SERVER_ERROR, text="x", kind="wish_claimed", params={})
    assert error.value.retry


def test_a_timeout_after_sending_is_never_retried(fake_aliyun):
    # Aliyun may have sent it: a second try could send it twice.
    with pytest.raises(SendError) as error:
        AliyunSmsBackend().send(phone=SLOW, text="x", kind="wish_claimed", params={})
    assert not error.value.retry


def test_nobody_listening_is_retried(fake_aliyun, settings):
    settings.SMS_ALIYUN_ENDPOINT = "http://127.0.0.1:9"  # discard port: connection refused
    with pytest.raises(SendError) as error:
        AliyunSmsBackend().send(phone="13900000000", text="x", kind="wish_claimed", params={})
    assert error.value.retry


def test_a_missing_key_stops_the_backend_and_the_deploy_check(settings):
    settings.SMS_SENDER = "inbox.sms.AliyunSmsBackend"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = ""
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "x"
    settings.SMS_SIGN_NAME = "x"
    with pytest.raises(ImproperlyConfigured):
        AliyunSmsBackend()
    assert "inbox.E002" in {e.id for e in run_checks()}
    settings.SMS_SENDER = "wishes.notifications.LoggingSmsSender"  # the old path
    assert "inbox.E001" in {e.id for e in run_checks()}


def test_the_test_message_command_sends_through_the_configured_backend(fake_aliyun):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("send_test_message", sms="13900000000", stdout=out)
    assert "sms: sent (900619746936498440^0)" in out.getvalue()
    assert fake_aliyun.requests[0]["TemplateCode"] == "SMS_100000000"
    with pytest.raises(CommandError, match="check the settings"):
        call_command("send_test_message", sms=BAD_NUMBER)
    with pytest.raises(CommandError):
        call_command("send_test_message")
