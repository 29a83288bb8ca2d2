from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.fields import PhoneField
from portal.validators import validate_mobile


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = PhoneField(_("手机号"), max_length=11, blank=True, validators=[validate_mobile])

    # Staff see the accounts whose scope lies inside their own.
    scope_field = "staff_profile__scope"
    PERSONAL_FIELDS = ("phone",)

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or super().get_full_name() or self.username


class StaffProfile(models.Model):
    """Ties a staff user to their scope: one node of the grid tree."""

    user = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("用户"),
    )
    scope = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="staff_profiles",
        verbose_name=_("管辖范围"),
        help_text=_("街道、社区或网格；该用户只能看到和管理此节点及其下级的数据。"),
    )
    title = models.CharField(_("职务"), max_length=40, blank=True)

    scope_field = "scope"

    class Meta:
        verbose_name = _("工作人员档案")
        verbose_name_plural = _("工作人员档案")
        permissions = [("view_personal_data", _("可查看完整的个人信息（手机号、身份证号）"))]

    def __str__(self):
        return f"{self.user} @ {self.scope}"


class PersonalDataLog(models.Model):
    """Append-only record of every reveal, change or export of personal data."""

    class Action(models.TextChoices):
        VIEW = "view", pgettext_lazy("personal data was", "查看")
        CHANGE = "change", pgettext_lazy("personal data was", "修改")
        EXPORT = "export", pgettext_lazy("personal data was", "导出")
        IMPORT = "import", pgettext_lazy("personal data was", "导入")

    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_username = models.CharField(_("操作人账号"), max_length=150)
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    subject_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    subject_label = models.CharField(_("对象"), max_length=200)
    fields = models.CharField(_("涉及字段"), max_length=200)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    grid = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所属网格"),
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    scope_field = "grid"

    class Meta:
        verbose_name = _("个人信息访问记录")
        verbose_name_plural = _("个人信息访问记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.actor_username} {self.get_action_display()} {self.subject_label}"

    def save(self, *args, **kwargs):
        # The log is evidence: once written it is never rewritten.
        if self.pk is not None:
            raise PermissionError("personal data log entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("personal data log entries cannot be deleted")


class TaskOutboxQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(sent_at__isnull=True)


class TaskOutbox(models.Model):
    """A Celery task that could not be queued when its write committed (portal.queue)."""

    task = models.CharField(_("任务"), max_length=200)
    args = models.JSONField(_("位置参数"), default=list, blank=True)
    kwargs = models.JSONField(_("关键字参数"), default=dict, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("重发次数"), default=0)
    last_error = models.CharField(_("最近的错误"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("发出时间"), null=True, blank=True)

    objects = TaskOutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("待发任务")
        verbose_name_plural = _("待发任务")
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="portal_outbox_pending"
            )
        ]

    def __str__(self):
        return f"{self.task}{self.args}"
