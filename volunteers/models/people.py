"""Volunteer teams, volunteers with their identity documents and volunteer numbers, memberships, and 在职党员双报到."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from points.models import SubjectKind
from portal.fields import PhoneField
from portal.validators import validate_id_number, validate_mobile


class VolunteerTeam(models.Model):
    """A volunteer service team (志愿服务队): a community team, a unit's team or a social organisation."""

    class Kind(models.TextChoices):
        COMMUNITY = "community", _("社区志愿服务队")
        UNIT = "unit", _("单位志愿服务队")
        SOCIAL = "social", _("社会组织")

    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.COMMUNITY)
    community = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="volunteer_teams",
        verbose_name=_("所属社区"),
        help_text=_("队伍的主管社区（或街道）；决定谁能管理它。"),
    )
    leader = models.ForeignKey(
        "Volunteer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
        verbose_name=_("队长"),
    )
    description = models.TextField(_("简介"), max_length=1000, blank=True)
    recruiting = models.BooleanField(_("招募中"), default=True, help_text=_("关闭后不再接受入队申请。"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_field = "community"
    points_subject_kind = SubjectKind.TEAM

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="team_unique_name_in_community"),
        ]

    def __str__(self):
        return self.name


class IdType(models.TextChoices):
    """Identity documents the national volunteer system accepts."""

    RESIDENT = "resident", _("居民身份证")
    HK_MACAO = "hk_macao", _("港澳居民来往内地通行证")
    TAIWAN = "taiwan", _("台湾居民来往大陆通行证")
    PASSPORT = "passport", _("护照")
    FOREIGN_PR = "foreign_pr", _("外国人永久居留身份证")


_DOCUMENT_PATTERNS = {
    IdType.HK_MACAO: (
        re.compile(r"^[HM]\d{8}(\d{2})?$"),
        _("港澳通行证号码应为 H 或 M 开头加8位或10位数字。"),
    ),
    IdType.TAIWAN: (re.compile(r"^\d{8}(\d{2})?$"), _("台湾居民来往大陆通行证号码应为8位或10位数字。")),
    IdType.PASSPORT: (re.compile(r"^[A-Z0-9]{5,17}$"), _("护照号码应为5到17位字母或数字。")),
    IdType.FOREIGN_PR: (re.compile(r"^[A-Z0-9]{15,18}$"), _("永久居留身份证号码应为15到18位字母或数字。")),
}


def validate_id_document(id_type, number):
    """Raise ValidationError when `number` is not a valid number of document `id_type`."""
    if id_type == IdType.RESIDENT:
        validate_id_number(number)
        return
    pattern, message = _DOCUMENT_PATTERNS[IdType(id_type)]
    if not pattern.match(number or ""):
        raise ValidationError(message, code="invalid_id_document")


class Volunteer(models.Model):
    """A person who volunteers: a resident or an in-service party member, optionally with a login.

    The identity document is personal data: validated, shown masked, and never
    used to name the person in URLs, lists or exports. The public identifier
    is the local volunteer number (志愿者编号), given when the record is made.
    """

    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer",
        verbose_name=_("登录账号"),
    )
    number = models.CharField(
        _("志愿者编号"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("本平台编号，自动生成，不含证件号码。"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    phone = PhoneField(_("手机号"), max_length=11, blank=True, validators=[validate_mobile])
    id_type = models.CharField(_("证件类型"), max_length=12, choices=IdType.choices, default=IdType.RESIDENT)
    id_number = models.CharField(_("证件号码"), max_length=20, blank=True)
    community = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="volunteers",
        verbose_name=_("居住社区"),
    )
    skills = models.CharField(
        _("特长技能"), max_length=200, blank=True, help_text=_("多项用顿号分隔，如：医疗、法律、摄影")
    )
    is_party_member = models.BooleanField(_("党员"), default=False)
    shows_identity = models.BooleanField(
        _("亮身份"),
        default=False,
        help_text=_("本人同意后，姓名和党员身份印在所服务楼栋的公示牌上。"),
    )
    party_organisation = models.CharField(_("所在党组织"), max_length=100, blank=True)
    work_unit = models.CharField(
        _("工作单位"), max_length=100, blank=True, help_text=_("在职党员填写，用于“双报到”统计。")
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    scope_field = "community"
    points_subject_kind = SubjectKind.PERSON
    points_user_field = "user"
    PERSONAL_FIELDS = ("phone", "id_number")
    NUMBER_PREFIX = "ZY"

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_type", "id_number"],
                condition=~Q(id_number=""),
                name="volunteer_unique_id_document",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "is_party_member"], name="volunteer_community_idx"),
            models.Index(fields=["name", "id"], name="volunteer_name_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if not self.number:
            # The number comes from the row id, known only after the insert.
            self.number = self.number_for(self.pk)
            type(self).objects.filter(pk=self.pk).update(number=self.number)

    def clean(self):
        self.id_number = (self.id_number or "").strip().upper()
        if self.id_number:
            try:
                validate_id_document(self.id_type, self.id_number)
            except ValidationError as error:
                raise ValidationError({"id_number": error.messages}) from None
        if self.community_id and self.community.kind != "community":
            raise ValidationError({"community": _("居住社区必须是社区（第二级）。")})

    @classmethod
    def number_for(cls, pk):
        return f"{cls.NUMBER_PREFIX}{pk:08d}"


class TeamMembership(models.Model):
    """A volunteer's place in a team: applied, approved by the leader, or left."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        ACTIVE = "active", _("在队")
        REJECTED = "rejected", _("未通过")
        LEFT = "left", _("已退出")

    team = models.ForeignKey(
        VolunteerTeam, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("服务队")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("志愿者")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    applied_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    left_at = models.DateTimeField(_("退出时间"), null=True, blank=True)

    scope_field = "team__community"

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("服务队队员")
        ordering = ["team", "status", "volunteer__name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "volunteer"], name="membership_once_per_team"),
        ]

    def __str__(self):
        return f"{self.volunteer} · {self.team}"


class DualReport(models.Model):
    """在职党员双报到: an in-service party member reports to the community where they live."""

    class Status(models.TextChoices):
        REPORTED = "reported", _("已报到")
        PENDING = "pending", _("待报到")
        TRANSFERRED = "transferred", _("已转出")

    volunteer = models.OneToOneField(
        Volunteer, on_delete=models.CASCADE, related_name="dual_report", verbose_name=_("党员")
    )
    community = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="dual_reports",
        verbose_name=_("报到社区"),
        limit_choices_to={"kind": "community"},
    )
    work_unit = models.CharField(_("工作单位"), max_length=100)
    reported_on = models.DateField(_("报到日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.REPORTED)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_field = "community"

    class Meta:
        verbose_name = _("双报到记录")
        verbose_name_plural = _("在职党员双报到")
        ordering = ["community", "work_unit", "volunteer__name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="reported") | Q(reported_on__isnull=False),
                name="dual_report_reported_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} → {self.community}"

    def clean(self):
        if self.status == self.Status.REPORTED and not self.reported_on:
            raise ValidationError({"reported_on": _("已报到的记录必须填写报到日期。")})
        if self.reported_on and self.reported_on > timezone.localdate():
            raise ValidationError({"reported_on": _("报到日期不能晚于今天。")})
        if self.community_id and self.community.kind != "community":
            raise ValidationError({"community": _("报到社区必须是社区（第二级）。")})
