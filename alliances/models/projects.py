"""The third list, projects (项目清单 / 微项目): status history, progress updates and their private photos."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.models.alliances import Alliance
from alliances.models.lists import Need, Resource
from alliances.models.units import MemberUnit


class Project(models.Model):
    """A micro-project (微项目) that puts a unit's resource to a community's need."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("筹备中")
        IN_PROGRESS = "in_progress", _("实施中")
        COMPLETED = "completed", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    FINISHED = (Status.COMPLETED, Status.CANCELLED)
    ACTIVE = (Status.PLANNED, Status.IN_PROGRESS)

    title = models.CharField(_("项目名称"), max_length=100)
    description = models.TextField(_("项目内容"), max_length=4000, blank=True)
    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, related_name="projects", verbose_name=_("所属联盟")
    )
    community = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="alliance_projects",
        verbose_name=_("实施社区"),
        limit_choices_to={"kind": "community"},
    )
    need = models.ForeignKey(
        Need,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("对应需求"),
    )
    resource = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("使用资源"),
    )
    lead_unit = models.ForeignKey(
        MemberUnit, on_delete=models.PROTECT, related_name="led_projects", verbose_name=_("牵头单位")
    )
    partner_units = models.ManyToManyField(
        MemberUnit, blank=True, related_name="partner_projects", verbose_name=_("协办单位")
    )
    budget = models.DecimalField(_("预算（元）"), max_digits=12, decimal_places=2, default=0)
    start_on = models.DateField(_("开始日期"), null=True, blank=True)
    end_on = models.DateField(_("计划结束日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PLANNED, editable=False
    )
    progress_percent = models.PositiveSmallIntegerField(_("进度（%）"), default=0, editable=False)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    scope_field = "community"

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目清单")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_percent__lte=100), name="project_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True)
                | Q(start_on__isnull=True)
                | Q(end_on__gte=models.F("start_on")),
                name="project_dates_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status"], name="project_community_status_idx"),
            models.Index(fields=["alliance", "status"], name="project_alliance_status_idx"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        from grids.models import Grid

        errors = {}
        if self.start_on and self.end_on and self.end_on < self.start_on:
            errors["end_on"] = _("结束日期不能早于开始日期。")
        if self.community_id and self.community.kind != Grid.Kind.COMMUNITY:
            errors["community"] = _("实施地点必须是一个社区。")
        if self.community_id and self.alliance_id:
            alliance_node = self.alliance.grid
            if not self.community.is_descendant_of(alliance_node, include_self=True):
                errors["community"] = _("实施社区不在该联盟的范围内。")
        if errors:
            raise ValidationError(errors)

    @property
    def is_finished(self):
        return self.status in self.FINISHED


class ProjectStatusChange(models.Model):
    """History: a project's status changed (dated, with who and why)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("项目")
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=Project.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Project.Status.choices)
    changed_at = models.DateTimeField(_("时间"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    scope_field = "project__community"

    class Meta:
        verbose_name = _("项目状态变化")
        verbose_name_plural = _("项目状态变化")
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["project", "changed_at"], name="project_change_time_idx")]

    def __str__(self):
        return f"{self.project} {self.from_status or '—'} → {self.to_status}"


class ProjectUpdate(models.Model):
    """A dated progress update (进展) posted by a participating unit's liaison or by staff."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="updates", verbose_name=_("项目")
    )
    unit = models.ForeignKey(
        MemberUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="project_updates",
        verbose_name=_("发布单位"),
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人")
    )
    posted_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    text = models.TextField(_("进展情况"), max_length=2000)
    progress_percent = models.PositiveSmallIntegerField(_("进度（%）"), null=True, blank=True)

    scope_field = "project__community"

    class Meta:
        verbose_name = _("项目进展")
        verbose_name_plural = _("项目进展")
        ordering = ["-posted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_percent__isnull=True) | Q(progress_percent__lte=100),
                name="update_progress_at_most_100",
            ),
        ]
        indexes = [models.Index(fields=["project", "posted_at"], name="update_project_time_idx")]

    def __str__(self):
        return f"{self.project} · {self.posted_at:%Y-%m-%d}"


class PrivatePhotoStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, which no web server serves: they have no URL.

    Photos reach a browser only through a view that checks who may see them.
    The location is read from settings on every use, so tests can move it.
    """

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        import os

        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("private photos have no public URL; link to alliances:photo instead")

    def deconstruct(self):
        return ("alliances.models.PrivatePhotoStorage", (), {})


private_photo_storage = PrivatePhotoStorage()


def _photo_path(instance, filename):
    # A random name: the stored path never reveals the project or the uploader.
    today = timezone.localdate()
    return f"alliances/updates/{today:%Y/%m}/{uuid.uuid4().hex}.jpg"


class ProjectPhoto(models.Model):
    update = models.ForeignKey(
        ProjectUpdate, on_delete=models.CASCADE, related_name="photos", verbose_name=_("进展")
    )
    image = models.FileField(_("照片"), storage=private_photo_storage, upload_to=_photo_path, max_length=200)
    width = models.PositiveIntegerField(_("宽"), default=0)
    height = models.PositiveIntegerField(_("高"), default=0)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    scope_field = "update__project__community"

    class Meta:
        verbose_name = _("进展照片")
        verbose_name_plural = _("进展照片")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.update} #{self.pk}"
