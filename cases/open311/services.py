"""Writes of the Open311 API: issuing and revoking keys, public request ids, and a case filed through a key."""

import datetime
import re
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import services as case_services
from cases.open311.models import KEY_PREFIX_LENGTH, ApiKey, ServiceRequest, hash_key, new_request_id
from portal.access import require, staff_over
from portal.scoping import Subtree

ISSUE_PERMISSION = "open311.add_apikey"
# last_used_at is written at most this often per key: a busy client costs no write per request.
_TOUCH_EVERY = datetime.timedelta(minutes=1)
_KEY = re.compile(r"^o311_[A-Za-z0-9_-]{40}$")


class OutOfScope(PermissionDenied):
    """The grid named in a request is outside the key's street or community."""


def _new_plain_key():
    # "o311_" marks what the string is when it turns up in a log or a repository.
    return "o311_" + secrets.token_urlsafe(30)


def _prefix(plain):
    return plain[5 : 5 + KEY_PREFIX_LENGTH]


@transaction.atomic
def api_key_issue(*, by, name, owner, scope):
    """A new key for `owner` in `scope` (a street or community); returns (key, the plain key, shown once)."""
    if scope is None or scope.kind not in ("street", "community"):
        raise ValidationError({"scope": _("密钥的范围必须是一个街道或社区。")})
    require(staff_over(by, scope, ISSUE_PERMISSION), _("这个范围不在您的管辖范围内。"))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写使用这个密钥的应用或单位。")})
    for _attempt in range(5):
        plain = _new_plain_key()
        if not ApiKey.objects.filter(prefix=_prefix(plain)).exists():
            break
    key = ApiKey.objects.create(
        name=name[:60],
        prefix=_prefix(plain),
        key_hash=hash_key(plain),
        owner=owner,
        scope=scope,
        created_at=timezone.now(),
        created_by=by,
    )
    return key, plain


@transaction.atomic
def api_key_revoke(*, by, key):
    """Switch a key off for good; requests with it are refused from now on."""
    key = ApiKey.objects.select_for_update().select_related("scope").get(pk=key.pk)
    require(staff_over(by, key.scope, "open311.change_apikey"), _("这个密钥不在您的管辖范围内。"))
    if key.active:
        key.active = False
        key.revoked_at = timezone.now()
        key.save(update_fields=["active", "revoked_at"])
    return key


def api_key_authenticate(plain):
    """The active key behind `plain`, or None; marks it used."""
    plain = (plain or "").strip()
    if not _KEY.match(plain):
        return None
    key = ApiKey.objects.select_related("scope").filter(prefix=_prefix(plain), active=True).first()
    if key is None or not key.matches(plain):
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > _TOUCH_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def request_ids_ensure(case_ids):
    """Give each case without one a public request id; {case_id: public_id} for all of them.

    New cases get theirs when they are filed (cases.open311.receivers); rows
    written around the services (bulk demo data, older cases) get theirs the
    first time the API lists them. Two requests doing it at once keep one id.
    """
    case_ids = list(case_ids)
    found = dict(ServiceRequest.objects.filter(case_id__in=case_ids).values_list("case_id", "public_id"))
    missing = [pk for pk in case_ids if pk not in found]
    if missing:
        for _attempt in range(3):
            try:
                with transaction.atomic():
                    ServiceRequest.objects.bulk_create(
                        [ServiceRequest(case_id=pk, public_id=new_request_id()) for pk in missing],
                        ignore_conflicts=True,
                    )
                break
            except IntegrityError:  # pragma: no cover - a 60-bit id collided; draw again
                continue
        found.update(ServiceRequest.objects.filter(case_id__in=missing).values_list("case_id", "public_id"))
    return found


def in_key_scope(key, grid):
    return Subtree.of(key.scope).contains(grid)


def out_of_scope(key, grid):
    return OutOfScope(
        _("网格“%(grid)s”不在这个接口密钥的范围（%(scope)s）内。")
        % {"grid": grid.code, "scope": key.scope.name}
    )


@transaction.atomic
def service_request_create(*, key, grid, category, description, phone, name="", address="", location=None):
    """A resident's report filed by a partner's app with `key`: the resident report service, in the key's scope.

    Returns the case and its public request id. Anything refused raises before
    a row is written (the report service checks the text, the category and the
    phone's daily limit).
    """
    if not in_key_scope(key, grid):
        raise out_of_scope(key, grid)
    if category.street_id != grid.get_root().pk:
        raise ValidationError({"service_code": _("这个事件类别不属于该网格所在的街道。")})
    case = case_services.case_report_resident(
        grid=grid,
        category=category,
        description=description,
        phone=phone,
        address=address,
        name=name,
        location=location,
    )
    public_id = request_ids_ensure([case.pk])[case.pk]
    ServiceRequest.objects.filter(case_id=case.pk).update(api_key=key)
    return case, public_id
