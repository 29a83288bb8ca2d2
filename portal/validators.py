"""Validators for Chinese mainland personal data: mobile numbers and ID numbers."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_ID_RE = re.compile(r"^\d{17}[\dX]$")
# GB 11643-1999: weights of the first 17 digits and the check character table.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


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
