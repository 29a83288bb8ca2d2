"""The frozen monthly joint-meeting report of each alliance."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MonthlyReport(models.Model):
    """The frozen monthly joint-meeting report (联席会议月度报告) of an alliance.

    `data` is a JSON document built once from the month's records (see
    reports/build.py for its sections and `schema_version`); the page, the
    PDF and the workbook render that document and never query the live tables,
    so later changes to projects, needs or claims leave a built month as it
    was. Building the month again replaces the document in one transaction.
    """

    class BuiltVia(models.TextChoices):
        TASK = "task", _("定时任务")
        COMMAND = "command", _("管理命令")
        PAGE = "page", _("工作人员在页面生成")
        DEMO = "demo", _("演示数据")

    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="monthly_reports", verbose_name=_("联盟")
    )
    month = models.DateField(_("月份"), help_text=_("该月的第一天。"))
    schema_version = models.PositiveSmallIntegerField(_("数据格式版本"))
    data = models.JSONField(_("报告内容"))
    revision = models.PositiveIntegerField(_("生成次数"), default=1)
    built_at = models.DateTimeField(_("生成时间"))
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("生成人"),
    )
    built_via = models.CharField(_("生成方式"), max_length=10, choices=BuiltVia.choices)

    scope_field = "alliance__grid"

    class Meta:
        verbose_name = _("联席会议月度报告")
        verbose_name_plural = _("联席会议月度报告")
        ordering = ["alliance", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "month"], name="report_one_per_alliance_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="report_month_is_first_day"),
        ]

    def __str__(self):
        return f"{self.alliance} {self.month:%Y-%m}"
