import os
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
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


class PrivateFileStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, which no web server serves: they have no URL.

    They reach a browser only through a view that checks who may see them. The
    location is read from settings on every use, so tests can move it.
    """

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


private_file_storage = PrivateFileStorage()


def _job_file_path(job, filename):
    # Named by the job: a run delivered twice writes the same file, never a second one.
    extension = os.path.splitext(filename)[1].lower()[:10]
    return f"jobs/{job.created_at:%Y/%m}/{job.pk}{extension}"


class JobQuerySet(models.QuerySet):
    def unfinished(self):
        return self.filter(status__in=(Job.Status.QUEUED, Job.Status.RUNNING))


class Job(models.Model):
    """A piece of long work run in the background (a report's PDF, a large export), and its file.

    The row is the job's state for the page (progress, message, result) and the
    key that makes its run idempotent: the worker claims it, writes its file to
    a path named by the job and finishes it with conditional updates, so a task
    delivered twice (acks_late) produces one file and one result. Who started
    it and the grid node it is about say who may see the result
    (docs/operations.md#background-jobs).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("名称"), max_length=200)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    key = models.CharField(_("去重键"), max_length=200, blank=True, db_index=True)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("发起人"))
    scope = models.ForeignKey(
        "grids.Grid",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所属范围"),
    )
    view_perm = models.CharField(_("查看所需权限"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("运行次数"), default=0)
    result = models.FileField(
        _("结果文件"), storage=private_file_storage, upload_to=_job_file_path, blank=True
    )
    result_name = models.CharField(_("下载文件名"), max_length=200, blank=True)
    result_url = models.CharField(_("结果页面"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = JobQuerySet.as_manager()
    scope_field = "scope"

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "key", "status"], name="portal_job_owner_key")]

    def __str__(self):
        return self.title

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)
