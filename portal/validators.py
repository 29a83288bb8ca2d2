"""Validators for Chinese mainland personal data: mobile numbers and ID numbers.

Digits are ASCII only once stored. A phone keyboard or an input method may
send full-width (１３８) or Arabic-Indic (١٣٨) digits, which Python's \\d
accepts; they are turned into ASCII first (`normalise_digits`), and the
patterns below match ASCII digits only.
"""

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")
_PHONE_NOISE_RE = re.compile(r"[\s\-()]")
# GB 11643-1999: weights of the first 17 digits and the check character table.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def normalise_digits(value):
    """`value` with full-width characters folded (NFKC) and every decimal digit in ASCII."""
    if not value:
        return value or ""
    value = unicodedata.normalize("NFKC", str(value))
    if value.isascii():
        return value
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in value)


def normalise_phone(value):
    """A phone number as stored: ASCII digits; spaces, dashes, brackets and +86 dropped."""
    value = _PHONE_NOISE_RE.sub("", normalise_digits(value))
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def is_mobile(value):
    return bool(MOBILE_RE.match(value or ""))


def is_id_number(value):
    try:
        validate_id_number(value)
    except ValidationError:
        return False
    return True


def validate_mobile(value):
    if not MOBILE_RE.match(value or ""):
        raise ValidationError(_("请输入11位大陆手机号，例如 13812348000。"), code="invalid_mobile")


def id_number_check_char(first17):
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_id_number(value):
    value = (value or "").upper()
    if not _ID_RE.match(value):
        raise ValidationError(_("身份证号应为18位，最后一位可以是数字或X。"), code="invalid_id_format")
    try:
        datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号中的出生日期无效。"), code="invalid_id_birthdate") from None
    if id_number_check_char(value[:17]) != value[17]:
        raise ValidationError(_("身份证号校验位不正确，请核对。"), code="invalid_id_checksum")
