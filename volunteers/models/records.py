"""Service records per the national rules (hours that count once verified), printed statements, export column mappings."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from volunteers.models.activities import Activity
from volunteers.models.people import Volunteer, VolunteerTeam

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
            models.Index(fields=["-service_date", "-id"], include=["community"], name="record_recent_idx"),
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
