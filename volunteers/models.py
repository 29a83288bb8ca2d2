import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
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
        indexes = [models.Index(fields=["community", "is_party_member"], name="volunteer_community_idx")]

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


class Activity(models.Model):
    """A volunteer service activity (志愿服务活动) that volunteers sign up for."""

    class Category(models.TextChoices):
        LAW = "law", _("普法")
        SAFETY = "safety", _("安全")
        HEALTH = "health", _("健康")
        ENVIRONMENT = "environment", _("环保")
        EDUCATION = "education", _("教育")
        ELDERLY = "elderly", _("助老")
        CULTURE = "culture", _("文化")
        CIVILITY = "civility", _("文明实践")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        PUBLISHED = "published", _("已发布")
        CANCELLED = "cancelled", _("已取消")

    title = models.CharField(_("活动名称"), max_length=100)
    team = models.ForeignKey(
        VolunteerTeam, on_delete=models.PROTECT, related_name="activities", verbose_name=_("组织服务队")
    )
    community = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="volunteer_activities",
        verbose_name=_("所在社区"),
        help_text=_("活动所在的社区（或街道）；决定哪些工作人员能管理它。"),
    )
    place = models.CharField(_("地点"), max_length=120, help_text=_("例如：兰苑社区红色驿站"))
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    content = models.TextField(_("服务内容"), max_length=2000)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("招募人数"))
    signup_opens_at = models.DateTimeField(_("报名开始"))
    signup_closes_at = models.DateTimeField(_("报名截止"))
    members_only = models.BooleanField(_("仅限本队队员"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    signed_up_count = models.PositiveIntegerField(_("已报名"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    scope_field = "community"

    class Meta:
        verbose_name = _("志愿服务活动")
        verbose_name_plural = _("志愿服务活动")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="activity_ends_after_start"),
            models.CheckConstraint(
                condition=Q(signup_closes_at__gt=F("signup_opens_at")),
                name="activity_signup_window_in_order",
            ),
            models.CheckConstraint(
                condition=Q(signup_closes_at__lte=F("ends_at")), name="activity_signup_closes_before_end"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="activity_capacity_positive"),
            # The backstop behind the row lock in signup_create: whatever a
            # code path forgets, the database never holds more sign-ups than places.
            models.CheckConstraint(
                condition=Q(signed_up_count__lte=F("capacity")), name="activity_not_over_capacity"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "starts_at"], name="activity_community_time_idx"),
            models.Index(fields=["team", "starts_at"], name="activity_team_time_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The sign-up counter is written only by the sign-up services, under
        # the activity's row lock: a stale copy saved elsewhere (an admin
        # edit, say) must not put back an old count.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "signed_up_count"
            ]
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("结束时间必须晚于开始时间。")
        if self.signup_opens_at and self.signup_closes_at and self.signup_closes_at <= self.signup_opens_at:
            errors["signup_closes_at"] = _("报名截止时间必须晚于报名开始时间。")
        elif self.signup_closes_at and self.ends_at and self.signup_closes_at > self.ends_at:
            errors["signup_closes_at"] = _("报名截止时间不能晚于活动结束时间。")
        if self.capacity is not None and self.capacity < max(self.signed_up_count or 0, 1):
            errors["capacity"] = _("招募人数不能少于已报名人数（%(n)s 人）。") % {"n": self.signed_up_count}
        if self.starts_at and self.ends_at and self.ends_at - self.starts_at > datetime.timedelta(hours=24):
            errors["ends_at"] = _("单次活动不能超过24小时，跨天的服务请分次发布。")
        if errors:
            raise ValidationError(errors)

    @property
    def places_left(self):
        return max(self.capacity - self.signed_up_count, 0)

    @property
    def duration_hours(self):
        return hours_between(self.starts_at, self.ends_at)

    def signup_state(self, now=None):
        """'open', 'not_yet', 'closed' or 'cancelled'."""
        now = now or timezone.now()
        if self.status == self.Status.CANCELLED:
            return "cancelled"
        if now < self.signup_opens_at:
            return "not_yet"
        if now >= self.signup_closes_at or now >= self.starts_at:
            return "closed"
        return "open"

    def is_over(self, now=None):
        return (now or timezone.now()) >= self.ends_at


def hours_between(start, end):
    """Decimal hours from start to end, to the nearest tenth, never negative."""
    if start is None or end is None or end <= start:
        return Decimal("0.0")
    seconds = Decimal((end - start).total_seconds())
    return (seconds / Decimal(3600)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class SignUp(models.Model):
    """A volunteer's place in an activity. Cancelling frees the place; signing up again reuses the row."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("已报名")
        CANCELLED = "cancelled", _("已取消")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="signups", verbose_name=_("活动")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="signups", verbose_name=_("志愿者")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    signed_up_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    scope_field = "activity__community"

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["signed_up_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="signup_once_per_activity"),
        ]
        indexes = [models.Index(fields=["volunteer", "status"], name="signup_volunteer_idx")]

    def __str__(self):
        return f"{self.volunteer} · {self.activity}"


PRESENT = ("normal", "late")  # attendances whose hours count


class ServiceRecordQuerySet(models.QuerySet):
    def counted(self):
        """Records whose hours count (计入时长): verified, and the volunteer was there.

        The one definition of counted hours: totals, certificates, exports,
        points, the dashboard and the monthly report all start from it.
        """
        return self.filter(verified_at__isnull=False, attendance__in=PRESENT)


class ServiceRecord(models.Model):
    """One volunteer's service at one activity, per the national service record rules.

    《志愿服务记录与证明出具办法（试行）》 asks for who served, what, where,
    when, for how long (actual service time, travel excluded), who recorded it
    and who verified it. Hours count — towards totals, certificates, exports
    and points — only once a team leader or community staff has verified them.
    """

    class Attendance(models.TextChoices):
        NORMAL = "normal", _("正常")
        LATE = "late", _("迟到")
        LEAVE = "leave", _("请假")
        ABSENT = "absent", _("缺勤")

    class Source(models.TextChoices):
        QR = "qr", _("扫码签到")
        ORGANISER = "organiser", _("组织者登记")
        MANUAL = "manual", _("人工补录")

    class Evaluation(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        GOOD = "good", _("良好")
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")

    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="records", verbose_name=_("活动")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="service_records", verbose_name=_("志愿者")
    )
    team = models.ForeignKey(
        VolunteerTeam, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织方")
    )
    community = models.ForeignKey(
        "grids.Grid", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在社区")
    )
    service_date = models.DateField(_("服务日期"))
    place = models.CharField(_("服务地点"), max_length=120)
    content = models.CharField(_("服务内容"), max_length=200)
    started_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    hours = models.DecimalField(
        _("服务时长（小时）"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("0.0"),
        help_text=_("实际服务时间，不含往返路程。"),
    )
    attendance = models.CharField(
        _("出勤情况"), max_length=10, choices=Attendance.choices, default=Attendance.NORMAL
    )
    source = models.CharField(_("记录方式"), max_length=10, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核验人"),
    )
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    evaluation = models.CharField(_("服务评价"), max_length=10, choices=Evaluation.choices, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    scope_field = "community"

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿服务记录")
        verbose_name_plural = _("志愿服务记录")
        ordering = ["-service_date", "activity", "volunteer__name"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="record_once_per_activity"),
            models.CheckConstraint(
                condition=Q(hours__gte=0) & Q(hours__lte=24), name="record_hours_in_range"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(started_at__isnull=False),
                name="record_checkout_after_checkin",
            ),
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True) | Q(verified_by__isnull=False),
                name="record_verified_by_someone",
            ),
            models.CheckConstraint(
                condition=Q(attendance__in=["normal", "late"]) | Q(hours=0),
                name="record_no_hours_when_absent",
            ),
        ]
        indexes = [
            models.Index(fields=["volunteer", "service_date"], name="record_volunteer_date_idx"),
            models.Index(fields=["community", "service_date"], name="record_community_date_idx"),
            # Hours still to verify, for the to-do: checked out, not verified yet.
            models.Index(
                fields=["activity"],
                name="record_unverified_idx",
                condition=Q(verified_at__isnull=True, ended_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} · {self.activity} · {self.hours}h"

    @property
    def is_verified(self):
        return self.verified_at is not None

    @property
    def is_on_site(self):
        return self.started_at is not None and self.ended_at is None

    @property
    def counts(self):
        """Whether these hours count: verified, and the volunteer was there."""
        return self.is_verified and self.attendance in PRESENT


class ServiceStatement(models.Model):
    """One printed record of service (服务记录) with its serial number; never changed."""

    serial = models.CharField(_("编号"), max_length=24, unique=True, null=True, editable=False)
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="statements", verbose_name=_("志愿者")
    )
    period_from = models.DateField(_("起始日期"))
    period_to = models.DateField(_("截止日期"))
    records = models.PositiveIntegerField(_("服务次数"))
    hours = models.DecimalField(_("累计时长（小时）"), max_digits=8, decimal_places=1)
    issuer = models.CharField(_("出具单位"), max_length=100)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("出具人"),
    )
    issued_at = models.DateTimeField(_("出具时间"), default=timezone.now)

    scope_field = "volunteer__community"

    class Meta:
        verbose_name = _("服务记录出具")
        verbose_name_plural = _("服务记录出具登记")
        ordering = ["-issued_at", "-pk"]

    def __str__(self):
        return self.serial or "—"


class ExportMapping(models.Model):
    """Column layout of a service-record spreadsheet, e.g. the national system's upload template."""

    name = models.CharField(_("名称"), max_length=60)
    owner = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属街道或社区"),
    )
    columns = models.JSONField(_("列"), default=list)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_field = "owner"

    class Meta:
        verbose_name = _("导出列设置")
        verbose_name_plural = _("服务记录导出列设置")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="export_mapping_unique_name"),
        ]

    def __str__(self):
        return self.name
