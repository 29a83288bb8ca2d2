"""Regional party-building alliances: member units, the covenant, the rotating
chair, the three lists (resources, needs, projects) and the joint meetings.

Everything that the monthly joint-meeting report reads is dated: membership
joining and leaving, chair months, status changes of needs and projects
(NeedStatusChange, ProjectStatusChange), progress updates, meeting attendance
and the follow-ups of problems raised at meetings.
"""

import re
import unicodedata
import uuid
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from points.models import SubjectKind
from portal.months import month_end, month_start


class MemberUnit(models.Model):
    """A unit in the street's area (驻区单位) that can join its alliances."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("机关")
        ENTERPRISE = "enterprise", _("企业")
        SCHOOL = "school", _("学校")
        HOSPITAL = "hospital", _("医院")
        SOCIAL = "social", _("社会组织")
        MERCHANT = "merchant", _("商户")

    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("单位类型"), max_length=12, choices=Kind.choices)
    grid = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="member_units",
        verbose_name=_("所在街道或社区"),
    )
    party_organisation = models.CharField(_("党组织"), max_length=100, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    liaisons = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="liaison_units",
        verbose_name=_("联络员"),
    )

    scope_field = "grid"
    points_subject_kind = SubjectKind.UNIT

    class Meta:
        verbose_name = _("驻区单位")
        verbose_name_plural = _("驻区单位")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "name"], name="unit_unique_name_in_grid"),
        ]

    def __str__(self):
        return self.name


# How a volunteer's free-text work unit (工作单位) is matched to a member unit.
# The rule belongs to the unit's name, so it lives here; volunteers and wishes
# use it to credit a unit with its party members' hours and claims.

_SPACES = re.compile(r"\s+")


def unit_name_key(name):
    """The form of a unit name that `Volunteer.work_unit` is compared in.

    A volunteer records their work unit as free text (工作单位). A party member
    counts for member unit U of an alliance when they are a party member, live
    in the alliance's street (their community is in the street's tree: in-service
    party members report to the community where they live, 双报到), and their
    work unit, in this form, equals U's name in this form: Unicode NFKC (full-
    width letters, digits and brackets become their half-width forms), all
    whitespace removed, case folded. So "区人民医院（东院）" and "区人民医院(东院) "
    match; "区人民医院东院" or "区医院" do not. A name that two member units of the
    alliance share in this form matches neither (it would be a guess).
    """
    return _SPACES.sub("", unicodedata.normalize("NFKC", name or "")).casefold()


def unit_keys(units):
    """{name key: unit id} for units whose key is not shared with another unit."""
    seen = defaultdict(list)
    for unit in units:
        seen[unit_name_key(unit.name)].append(unit.pk)
    return {key: ids[0] for key, ids in seen.items() if key and len(ids) == 1}


# --- alliances, membership, covenant, rotating chair ----------------------------------


class Alliance(models.Model):
    """区域党建联盟 of a street, or 区域化党委委员会 of a community.

    Its level follows the grid node it is attached to, and that node scopes it:
    street staff reach the street's alliance and every committee below it, a
    community secretary their community's committee.
    """

    name = models.CharField(_("名称"), max_length=100)
    grid = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="alliances",
        verbose_name=_("所属街道或社区"),
        help_text=_("街道的区域党建联盟挂在街道上，社区的区域化党委委员会挂在社区上。"),
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    covenant = models.TextField(_("联盟公约"), max_length=10000, blank=True)
    covenant_updated_on = models.DateField(_("公约修订日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_field = "grid"

    class Meta:
        verbose_name = _("区域党建联盟")
        verbose_name_plural = _("区域党建联盟")
        ordering = ["grid__tree_id", "grid__lft"]
        constraints = [
            models.UniqueConstraint(fields=["grid"], name="alliance_one_per_grid_node"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from grids.models import Grid

        if self.grid_id and self.grid.kind == Grid.Kind.GRID:
            raise ValidationError(
                {"grid": _("联盟只能设在街道（区域党建联盟）或社区（区域化党委委员会）上。")}
            )

    @property
    def level_label(self):
        from grids.models import Grid

        if self.grid.kind == Grid.Kind.STREET:
            return _("区域党建联盟")
        return _("区域化党委委员会")


class Membership(models.Model):
    """A unit's membership of an alliance, from joining to leaving, and its covenant signing.

    `left_on` is the first day the unit is no longer a member. A unit that
    rejoins has its leaving date cleared; one row per alliance and unit.
    """

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("联盟")
    )
    unit = models.ForeignKey(
        MemberUnit, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("成员单位")
    )
    joined_on = models.DateField(_("加入日期"), default=timezone.localdate)
    left_on = models.DateField(_("退出日期"), null=True, blank=True)
    covenant_signed_on = models.DateField(_("签署公约日期"), null=True, blank=True)

    scope_field = "alliance__grid"

    class Meta:
        verbose_name = _("联盟成员单位")
        verbose_name_plural = _("联盟成员单位")
        ordering = ["alliance", "joined_on", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "unit"], name="membership_unique_unit"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gt=models.F("joined_on")),
                name="membership_left_after_joined",
            ),
        ]

    def __str__(self):
        return f"{self.unit} · {self.alliance}"

    def clean(self):
        if self.left_on and self.joined_on and self.left_on <= self.joined_on:
            raise ValidationError({"left_on": _("退出日期必须晚于加入日期。")})

    def is_member_on(self, day):
        return self.joined_on <= day and (self.left_on is None or day < self.left_on)

    def can_chair(self, month):
        """A member for the whole month: joined by its first day, not leaving before its end."""
        return self.joined_on <= month and (self.left_on is None or self.left_on > month_end(month))

    @property
    def is_current(self):
        return self.is_member_on(timezone.localdate())


class ChairTerm(models.Model):
    """The rotating chair (轮值主席) of an alliance for one month."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="chair_terms", verbose_name=_("联盟")
    )
    month = models.DateField(_("月份"), help_text=_("该月的第一天。"))
    unit = models.ForeignKey(
        MemberUnit, on_delete=models.PROTECT, related_name="chair_terms", verbose_name=_("轮值主席单位")
    )
    created_at = models.DateTimeField(_("安排时间"), auto_now_add=True)

    scope_field = "alliance__grid"

    class Meta:
        verbose_name = _("轮值主席")
        verbose_name_plural = _("轮值主席")
        ordering = ["alliance", "month"]
        constraints = [
            # Exactly one chair per alliance and month, whatever writes it.
            models.UniqueConstraint(fields=["alliance", "month"], name="chair_one_per_alliance_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="chair_month_is_first_day"),
        ]

    def __str__(self):
        return f"{self.alliance} {self.month:%Y-%m} · {self.unit}"


class ChairSwap(models.Model):
    """History: staff swapped the chairs of two months."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="chair_swaps", verbose_name=_("联盟")
    )
    first_month = models.DateField(_("月份一"))
    second_month = models.DateField(_("月份二"))
    first_unit = models.ForeignKey(
        MemberUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("月份一原主席单位")
    )
    second_unit = models.ForeignKey(
        MemberUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("月份二原主席单位")
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    swapped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    swapped_at = models.DateTimeField(_("调换时间"), auto_now_add=True)

    scope_field = "alliance__grid"

    class Meta:
        verbose_name = _("轮值主席调换记录")
        verbose_name_plural = _("轮值主席调换记录")
        ordering = ["-swapped_at"]

    def __str__(self):
        return f"{self.alliance} {self.first_month:%Y-%m} ⇄ {self.second_month:%Y-%m}"


# --- the three lists ----------------------------------------------------------------


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


# --- joint meetings ------------------------------------------------------------------


class JointMeeting(models.Model):
    """A joint meeting (联席会议) of an alliance, chaired by the month's chair unit."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("已安排")
        HELD = "held", _("已召开")
        CANCELLED = "cancelled", _("已取消")

    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("联盟")
    )
    title = models.CharField(_("会议名称"), max_length=100)
    held_at = models.DateTimeField(_("会议时间"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    chair_unit = models.ForeignKey(
        MemberUnit,
        on_delete=models.PROTECT,
        related_name="chaired_meetings",
        verbose_name=_("轮值主席单位"),
        editable=False,
    )
    agenda = models.TextField(_("议程"), max_length=4000)
    minutes = models.TextField(_("会议纪要"), max_length=10000, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED, editable=False
    )
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_field = "alliance__grid"

    class Meta:
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")
        ordering = ["-held_at", "-pk"]
        indexes = [models.Index(fields=["alliance", "held_at"], name="meeting_alliance_time_idx")]

    def __str__(self):
        return self.title

    @cached_property
    def month(self):
        return month_start(timezone.localtime(self.held_at).date())

    @property
    def awaiting_record(self):
        """Its time has passed but nobody has recorded attendance and minutes yet."""
        return self.status == self.Status.PLANNED and self.held_at <= timezone.now()


class MeetingAttendance(models.Model):
    """Whether one member unit attended a meeting. Present units earn points."""

    class Status(models.TextChoices):
        PRESENT = "present", _("出席")
        EXCUSED = "excused", _("请假")
        ABSENT = "absent", _("缺席")

    meeting = models.ForeignKey(
        JointMeeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("会议")
    )
    unit = models.ForeignKey(
        MemberUnit, on_delete=models.PROTECT, related_name="meeting_attendances", verbose_name=_("成员单位")
    )
    status = models.CharField(_("出席情况"), max_length=10, choices=Status.choices)
    attendee = models.CharField(_("参会人"), max_length=100, blank=True)

    scope_field = "meeting__alliance__grid"

    class Meta:
        verbose_name = _("会议出席")
        verbose_name_plural = _("会议出席")
        ordering = ["meeting", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "unit"], name="attendance_once_per_unit"),
        ]

    def __str__(self):
        return f"{self.unit} · {self.get_status_display()}"


class MeetingProblem(models.Model):
    """A problem raised at a joint meeting, with the unit that owns it and its follow-up."""

    class Status(models.TextChoices):
        OPEN = "open", _("待办理")
        IN_PROGRESS = "in_progress", _("办理中")
        RESOLVED = "resolved", _("已办结")

    meeting = models.ForeignKey(
        JointMeeting, on_delete=models.CASCADE, related_name="problems", verbose_name=_("会议")
    )
    description = models.TextField(_("问题"), max_length=1000)
    raised_by_unit = models.ForeignKey(
        MemberUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提出单位"),
    )
    owner_unit = models.ForeignKey(
        MemberUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_problems",
        verbose_name=_("责任单位"),
    )
    owner_name = models.CharField(_("责任人"), max_length=50, blank=True)
    due_on = models.DateField(_("办结期限"), null=True, blank=True)
    status = models.CharField(
        _("办理状态"), max_length=12, choices=Status.choices, default=Status.OPEN, editable=False
    )
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now, editable=False)

    scope_field = "meeting__alliance__grid"

    class Meta:
        verbose_name = _("会议问题")
        verbose_name_plural = _("会议问题")
        ordering = ["meeting", "pk"]
        indexes = [models.Index(fields=["owner_unit", "status"], name="problem_owner_status_idx")]

    def __str__(self):
        return self.description[:40]

    def clean(self):
        if not self.owner_unit_id and not self.owner_name:
            raise ValidationError(_("请指定责任单位或责任人。"))


class ProblemFollowUp(models.Model):
    """History: a dated follow-up of a meeting problem, with the status it left it in."""

    problem = models.ForeignKey(
        MeetingProblem, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("问题")
    )
    status = models.CharField(_("办理状态"), max_length=12, choices=MeetingProblem.Status.choices)
    note = models.TextField(_("办理情况"), max_length=1000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("办理人"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    scope_field = "problem__meeting__alliance__grid"

    class Meta:
        verbose_name = _("问题跟进")
        verbose_name_plural = _("问题跟进")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.problem} · {self.get_status_display()}"
