"""What the Open311 API keeps beside the cases: the keys staff issue, and each case's public request id."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The tracking codes' alphabet (no 0/O/1/I): read aloud and typed without mistakes.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
REQUEST_ID_LENGTH = 12
KEY_PREFIX_LENGTH = 8


def new_request_id():
    # 60 random bits: not the database key, not the tracking code, and not guessable.
    return "".join(secrets.choice(ALPHABET) for _ in range(REQUEST_ID_LENGTH))


def hash_key(plain):
    # The key is 240 random bits, so one round of SHA-256 is enough to keep it
    # useless to whoever reads the table; a slow password hash would only slow the API.
    return hashlib.sha256(plain.encode()).hexdigest()


class ApiKey(models.Model):
    """A key a partner's app uses to file cases (POST requests) in one street or community."""

    name = models.CharField(
        _("名称"), max_length=60, help_text=_("使用这个密钥的应用或单位，例如 12345 热线。")
    )
    prefix = models.CharField(_("密钥前缀"), max_length=KEY_PREFIX_LENGTH, unique=True, editable=False)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="open311_keys",
        verbose_name=_("负责人"),
        help_text=_("对这个密钥负责的账号。"),
    )
    scope = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="open311_keys",
        verbose_name=_("范围"),
        limit_choices_to={"kind__in": ["street", "community"]},
        help_text=_("密钥只能在这个街道或社区内上报事件。"),
    )
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("签发时间"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签发人"),
        editable=False,
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True, editable=False)

    scope_field = "scope"

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def matches(self, plain):
        return secrets.compare_digest(self.key_hash, hash_key(plain))


class ServiceRequest(models.Model):
    """A case's public Open311 id (service_request_id), and the key that filed it, if one did."""

    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="open311",
        verbose_name=_("网格事件"),
    )
    public_id = models.CharField(_("公开编号"), max_length=16, unique=True)
    api_key = models.ForeignKey(
        ApiKey,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("接口密钥"),
    )

    scope_field = "case__grid"

    class Meta:
        verbose_name = _("Open311 编号")
        verbose_name_plural = _("Open311 编号")

    def __str__(self):
        return self.public_id
