"""Two of the three lists: resources the units offer (资源清单) and needs the communities raise (需求清单)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.models.units import MemberUnit


class ResourceKind(models.TextChoices):
    VENUE = "venue", _("场地")
    FUNDS = "funds", _("资金")
    SKILLS = "skills", _("技能")
    VOLUNTEERS = "volunteers", _("志愿者")
    EQUIPMENT = "equipment", _("设备")


class Resource(models.Model):
    """One entry of a unit's resource list (资源清单)."""

    unit = models.ForeignKey(
        MemberUnit, on_delete=models.PROTECT, related_name="resources", verbose_name=_("提供单位")
    )
    kind = models.CharField(_("资源类别"), max_length=12, choices=ResourceKind.choices)
    title = models.CharField(_("资源名称"), max_length=100)
    description = models.TextField(_("说明"), max_length=2000, blank=True)
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    quantity_unit = models.CharField(
        _("计量单位"), max_length=10, blank=True, help_text=_("例如 元、人、间、台")
    )
    community = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("服务社区"),
        help_text=_("留空表示全街道都可使用。"),
        limit_choices_to={"kind": "community"},
    )
    available_from = models.DateField(_("可用起始日期"), null=True, blank=True)
    available_until = models.DateField(_("可用截止日期"), null=True, blank=True)
    is_active = models.BooleanField(_("有效"), default=True, help_text=_("撤回的资源不再参与匹配。"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_field = "unit__grid"

    class Meta:
        verbose_name = _("资源")
        verbose_name_plural = _("资源清单")
        ordering = ["unit__name", "title"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "title"], name="resource_unique_title_in_unit"),
            models.CheckConstraint(
                condition=Q(available_until__isnull=True)
                | Q(available_from__isnull=True)
                | Q(available_until__gte=models.F("available_from")),
                name="resource_available_dates_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.unit} · {self.title}"

    def clean(self):
        from grids.models import Grid

        errors = {}
        if self.available_from and self.available_until and self.available_until < self.available_from:
            errors["available_until"] = _("截止日期不能早于起始日期。")
        if self.community_id and self.community.kind != Grid.Kind.COMMUNITY:
            errors["community"] = _("服务社区必须是一个社区。")
        if errors:
            raise ValidationError(errors)

    @property
    def quantity_label(self):
        return f"{self.quantity}{self.quantity_unit}"


class Need(models.Model):
    """One entry of a community's need list (需求清单)."""

    class Priority(models.TextChoices):
        GENERAL = "general", _("一般")
        HOT = "hot", _("热点")

    class Status(models.TextChoices):
        OPEN = "open", _("待匹配")
        MATCHED = "matched", _("已匹配")
        CLOSED = "closed", _("已关闭")

    community = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="alliance_needs",
        verbose_name=_("社区"),
        limit_choices_to={"kind": "community"},
    )
    title = models.CharField(_("需求名称"), max_length=100)
    description = models.TextField(_("说明"), max_length=2000, blank=True)
    kind = models.CharField(_("所需资源类别"), max_length=12, choices=ResourceKind.choices)
    quantity = models.PositiveIntegerField(_("需要数量"), null=True, blank=True)
    priority = models.CharField(_("类别"), max_length=10, choices=Priority.choices, default=Priority.GENERAL)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, editable=False
    )
    wanted_by = models.DateField(_("期望完成日期"), null=True, blank=True)
    raised_on = models.DateField(_("提出日期"), default=timezone.localdate)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
        editable=False,
    )
    matched_at = models.DateTimeField(_("匹配时间"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True, editable=False)
    close_reason = models.CharField(_("关闭原因"), max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    scope_field = "community"

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = _("需求清单")
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "title"], name="need_unique_title_in_community"),
        ]
        indexes = [models.Index(fields=["community", "status"], name="need_community_status_idx")]

    def __str__(self):
        return self.title

    def clean(self):
        from grids.models import Grid

        if self.community_id and self.community.kind != Grid.Kind.COMMUNITY:
            raise ValidationError({"community": _("需求必须属于一个社区。")})

    @property
    def is_overdue(self):
        """Still open after the date the community wanted it done by."""
        return (
            self.status == self.Status.OPEN
            and self.wanted_by is not None
            and self.wanted_by < timezone.localdate()
        )


class NeedStatusChange(models.Model):
    """History: a need's status changed (dated, with who and why)."""

    need = models.ForeignKey(
        Need, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("需求")
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=Need.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=Need.Status.choices)
    changed_at = models.DateTimeField(_("时间"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    scope_field = "need__community"

    class Meta:
        verbose_name = _("需求状态变化")
        verbose_name_plural = _("需求状态变化")
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["need", "changed_at"], name="need_change_time_idx")]

    def __str__(self):
        return f"{self.need} {self.from_status or '—'} → {self.to_status}"


class NeedOffer(models.Model):
    """A member unit offers to take a need (单位认领需求); staff confirm it into a project or decline it.

    At most one offer of a unit per need waits for staff (a partial unique
    constraint), so a double click or two liaisons of one unit offer once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        DECLINED = "declined", _("未采纳")

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="offers", verbose_name=_("需求"))
    unit = models.ForeignKey(
        MemberUnit, on_delete=models.PROTECT, related_name="need_offers", verbose_name=_("认领单位")
    )
    resource = models.ForeignKey(
        Resource,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offers",
        verbose_name=_("拟用资源"),
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, editable=False
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("认领人"),
    )
    offered_at = models.DateTimeField(_("认领时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decline_reason = models.CharField(_("未采纳原因"), max_length=200, blank=True)
    project = models.ForeignKey(
        "alliances.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("立项"),
    )

    scope_field = "need__community"

    class Meta:
        verbose_name = _("单位认领需求")
        verbose_name_plural = _("单位认领需求")
        ordering = ["-offered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "unit"],
                condition=Q(status="pending"),
                name="need_offer_one_pending_per_unit",
            ),
        ]
        indexes = [models.Index(fields=["status", "need"], name="need_offer_status_idx")]

    def __str__(self):
        return f"{self.unit} → {self.need}"
