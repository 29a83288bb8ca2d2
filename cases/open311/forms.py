"""The API's parameters, checked with a clear message for each: the list's filters and a new request."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.open311.models import ALPHABET, REQUEST_ID_LENGTH
from cases.open311.selectors import DEFAULT_WINDOW, MAX_PAGE_SIZE
from portal.validators import is_mobile, normalise_phone

_REQUEST_ID = re.compile(rf"^[{ALPHABET}]{{{REQUEST_ID_LENGTH}}}$")
MAX_IDS = 100
# What the portal's dates can hold with a 90-day window either side.
_EARLIEST = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
_LATEST = datetime.datetime(9000, 1, 1, tzinfo=datetime.UTC)


def messages_of(form):
    """Every error of a form as "field：message", in field order."""
    found = []
    for field, errors in form.errors.items():
        for message in errors:
            found.append(
                message
                if field == "__all__"
                else _("%(field)s：%(message)s") % {"field": field, "message": message}
            )
    return found


def parse_w3c(value):
    """A W3C datetime (2026-05-01T08:00:00+08:00, …Z, or a date), aware; None if it is not one."""
    value = (value or "").strip()
    if not value or len(value) > 40:
        return None
    try:
        parsed = parse_datetime(value.replace("z", "Z"))
        if parsed is None:
            day = parse_date(value)
            if day is None:
                return None
            parsed = datetime.datetime.combine(day, datetime.time())
    except ValueError:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    if not _EARLIEST <= parsed <= _LATEST:
        return None
    return parsed


class _W3CField(forms.CharField):
    default_error_messages = {
        "invalid": gettext_lazy("不是有效的时间，请用 W3C 格式，例如 2026-05-01T08:00:00+08:00。")
    }

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        parsed = parse_w3c(value)
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class _PageField(forms.IntegerField):
    default_error_messages = {"invalid": gettext_lazy("请填写一个整数。")}


class RequestsQuery(forms.Form):
    """GET requests: service_request_id (a comma list) overrides the rest; the window is at most 90 days."""

    service_request_id = forms.CharField(required=False, max_length=MAX_IDS * (REQUEST_ID_LENGTH + 1))
    service_code = forms.CharField(required=False, max_length=20)
    start_date = _W3CField(required=False)
    end_date = _W3CField(required=False)
    status = forms.CharField(required=False, max_length=20)
    jurisdiction_id = forms.CharField(required=False, max_length=20)
    page = _PageField(required=False, min_value=1, max_value=100_000)
    page_size = _PageField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)

    def clean_service_request_id(self):
        value = self.cleaned_data["service_request_id"]
        if not value:
            return None
        ids = [part.strip().upper() for part in value.split(",") if part.strip()]
        if len(ids) > MAX_IDS:
            raise forms.ValidationError(_("一次最多查询 %(n)s 个编号。") % {"n": MAX_IDS})
        # An id that cannot exist finds nothing, as an unknown one does.
        return [part for part in ids if _REQUEST_ID.match(part)]

    def clean_status(self):
        value = self.cleaned_data["status"]
        if value and value not in ("open", "closed"):
            raise forms.ValidationError(_("只能是 open 或 closed。"))
        return value or None

    def clean(self):
        data = super().clean()
        # A typed filter sent empty (start_date=) is a mistake worth saying, not "no filter".
        for name in ("start_date", "end_date", "status", "page", "page_size"):
            if name in self.data and not str(self.data[name]).strip() and name not in self.errors:
                self.add_error(name, _("不能是空的；不用这个条件时请去掉它。"))
        start, end = data.get("start_date"), data.get("end_date")
        if self.errors:
            return data
        if start and end and start >= end:
            raise forms.ValidationError(_("start_date 必须早于 end_date。"))
        if start and end and end - start > DEFAULT_WINDOW:
            raise forms.ValidationError(_("start_date 到 end_date 最长 90 天。"))
        if start and not end:
            end = start + DEFAULT_WINDOW
        elif end and not start:
            start = end - DEFAULT_WINDOW
        elif not start:
            end = timezone.now() + datetime.timedelta(minutes=1)
            start = end - DEFAULT_WINDOW
        data["start_date"], data["end_date"] = start, end
        data["page"] = data.get("page") or 1
        data["page_size"] = data.get("page_size") or MAX_PAGE_SIZE
        return data


def _coordinate(value, low, high, name):
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise forms.ValidationError(_("%(name)s 不是数字。") % {"name": name}) from None
    if not number.is_finite() or not low <= number <= high:
        raise forms.ValidationError(
            _("%(name)s 必须在 %(low)s 到 %(high)s 之间。") % {"name": name, "low": low, "high": high}
        )
    return number.quantize(Decimal("0.000001"))


class NewRequestForm(forms.Form):
    """POST requests: a resident's report through a partner's app."""

    # Inside China (with a margin): a point outside is a swapped pair or a typo.
    LAT = (Decimal("3"), Decimal("54"))
    LONG = (Decimal("73"), Decimal("136"))

    service_code = forms.CharField(max_length=20)
    jurisdiction_id = forms.CharField(required=False, max_length=20)
    lat = forms.CharField(required=False, max_length=30)
    long = forms.CharField(required=False, max_length=30)
    address_string = forms.CharField(required=False, max_length=100)
    address_id = forms.CharField(required=False, max_length=20)
    grid_code = forms.CharField(required=False, max_length=20)
    description = forms.CharField(max_length=4000, strip=True)
    first_name = forms.CharField(required=False, max_length=20)
    last_name = forms.CharField(required=False, max_length=20)
    phone = forms.CharField(max_length=30)

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            # The standard's way to send an attribute: attribute[grid_code]=….
            if not data.get("grid_code") and data.get("attribute[grid_code]"):
                data["grid_code"] = data.get("attribute[grid_code]")
        super().__init__(data, *args, **kwargs)

    def clean_phone(self):
        phone = normalise_phone(self.cleaned_data["phone"])
        if not is_mobile(phone):
            raise forms.ValidationError(_("请填写居民的 11 位手机号，以便回访。"))
        return phone

    def clean_lat(self):
        value = self.cleaned_data["lat"]
        return _coordinate(value, *self.LAT, "lat") if value else None

    def clean_long(self):
        value = self.cleaned_data["long"]
        return _coordinate(value, *self.LONG, "long") if value else None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if (data.get("lat") is None) != (data.get("long") is None):
            raise forms.ValidationError(_("lat 和 long 要一起填写。"))
        if not any(data.get(name) for name in ("lat", "address_string", "address_id", "grid_code")):
            raise forms.ValidationError(
                _("请提供位置：attribute[grid_code]（网格编码）、address_string、address_id 或 lat 与 long。")
            )
        return data

    def location(self):
        lat, long = self.cleaned_data.get("lat"), self.cleaned_data.get("long")
        return (lat, long) if lat is not None else None

    def reporter_name(self):
        return (self.cleaned_data.get("last_name", "") + self.cleaned_data.get("first_name", "")).strip()[:20]
