import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey

from portal.fields import PhoneField
from portal.validators import normalise_digits, validate_id_number, validate_mobile

code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{1,19}$",
    _("编码只能包含大写字母、数字和连字符，2到20位，例如 LJP-03-02。"),
)
office_phone_validator = RegexValidator(
    r"^[0-9][0-9-]{5,18}[0-9]$",
    _("请填写电话号码，只用数字和连字符，例如 0931-8123456。"),
)


class Grid(MPTTModel):
    """A node of the red micro-grid tree: street → community → grid."""

    class Kind(models.TextChoices):
        STREET = "street", _("街道")
        COMMUNITY = "community", _("社区")
        GRID = "grid", _("网格")

    # The kind a node's parent must have; a street is a root.
    PARENT_KIND = {Kind.STREET: None, Kind.COMMUNITY: Kind.STREET, Kind.GRID: Kind.COMMUNITY}

    name = models.CharField(_("名称"), max_length=60)
    code = models.CharField(
        _("编码"),
        max_length=20,
        unique=True,
        validators=[code_validator],
        help_text=_("简短唯一的编码，用于二维码链接。"),
    )
    kind = models.CharField(_("层级"), max_length=10, choices=Kind.choices)
    parent = TreeForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级节点"),
    )
    address = models.CharField(_("地址或位置"), max_length=200, blank=True)
    phone = models.CharField(
        _("办公电话"),
        max_length=20,
        blank=True,
        default="",
        db_default="",
        validators=[office_phone_validator],
        help_text=_("社区或网格的办公电话，居民在页面上看到，例如 0931-8123456。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_field = ""

    class MPTTMeta:
        order_insertion_by = ["code"]

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        constraints = [
            # Exactly three levels: the kind always matches the depth.
            models.CheckConstraint(
                condition=Q(kind="street", level=0) | Q(kind="community", level=1) | Q(kind="grid", level=2),
                name="grid_kind_matches_level",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        expected = self.PARENT_KIND.get(self.kind)
        parent_kind = self.parent.kind if self.parent_id else None
        if self.kind in self.PARENT_KIND and parent_kind != expected:
            if expected is None:
                raise ValidationError({"parent": _("街道是最高一级，不能有上级节点。")})
            raise ValidationError(
                {
                    "parent": _("%(kind)s的上级必须是%(parent)s。")
                    % {"kind": self.get_kind_display(), "parent": self.Kind(expected).label}
                }
            )
        if self.pk and self.kind_changed() and not self.is_leaf_node():
            raise ValidationError({"kind": _("已有下级节点的网格不能改变层级。")})

    def kind_changed(self):
        stored = type(self).objects.filter(pk=self.pk).values_list("kind", flat=True).first()
        return stored is not None and stored != self.kind

    @property
    def community(self):
        """The community this node belongs to (itself for a community)."""
        if self.kind == self.Kind.COMMUNITY:
            return self
        if self.kind == self.Kind.GRID:
            return self.parent
        return None


def natural_key(*parts):
    """A text that sorts as people count: 1号楼 < 2号楼 < 10号楼, 2单元 < 10单元, 301 < 1201.

    Every run of digits is padded to eight places (full-width digits folded to
    ASCII first), so comparing the keys as plain text compares the numbers by
    value; the parts are joined by a space, below every digit and letter, so a
    shorter name sorts before a longer one that starts with it.
    """
    return " ".join(
        _DIGITS.sub(lambda m: m.group().rjust(8, "0"), normalise_digits(str(p or ""))) for p in parts
    )[:SORT_KEY_LENGTH]


_DIGITS = re.compile(r"[0-9]+")
SORT_KEY_LENGTH = 120


class Building(models.Model):
    grid = models.ForeignKey(
        Grid,
        on_delete=models.PROTECT,
        related_name="buildings",
        verbose_name=_("网格"),
        limit_choices_to={"kind": Grid.Kind.GRID},
    )
    name = models.CharField(_("楼栋"), max_length=30, help_text=_("例如 3号楼"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    units = models.PositiveSmallIntegerField(_("单元数"), default=1)
    floors = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)
    sort_key = models.CharField(
        _("排序键"), max_length=SORT_KEY_LENGTH, blank=True, default="", editable=False
    )

    scope_field = "grid"

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["grid", "name"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "name"], name="building_unique_name_in_grid"),
        ]
        indexes = [models.Index(fields=["grid", "sort_key", "id"], name="building_natural_idx")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.fill_sort_key()
        renamed = (
            self.pk is not None and type(self).objects.filter(pk=self.pk).exclude(name=self.name).exists()
        )
        super().save(*args, **kwargs)
        if renamed:
            # The households' natural order starts with the building's name.
            households = list(self.households.only("pk", "unit", "room"))
            for household in households:
                household.building = self
                household.fill_sort_key()
            Household.objects.bulk_update(households, ["sort_key"], batch_size=1000)

    def fill_sort_key(self):
        self.sort_key = natural_key(self.name)

    def clean(self):
        if self.grid_id and self.grid.kind != Grid.Kind.GRID:
            raise ValidationError({"grid": _("楼栋只能属于网格（第三级）。")})


class Household(models.Model):
    """A household at building/unit/room, with its rainbow-grid category."""

    class Category(models.TextChoices):
        # 彩虹网格: each vulnerable group has its colour on the grid map.
        SOLITARY = "solitary", _("孤寡")
        EMPTY_NEST = "empty_nest", _("空巢")
        POOR = "poor", _("贫困")
        DISABLED = "disabled", _("残疾")
        SUPERVISED = "supervised", _("管控")
        MILITARY = "military", _("军烈属")
        GENERAL = "general", _("一般户")

    COLOURS = {
        Category.SOLITARY: "#d7263d",
        Category.EMPTY_NEST: "#f28c28",
        Category.POOR: "#e6b800",
        Category.DISABLED: "#2e9e44",
        Category.SUPERVISED: "#4b3f9e",
        Category.MILITARY: "#1f6fd1",
        Category.GENERAL: "#8e44ad",
    }
    VULNERABLE = [
        Category.SOLITARY,
        Category.EMPTY_NEST,
        Category.POOR,
        Category.DISABLED,
        Category.SUPERVISED,
        Category.MILITARY,
    ]

    grid = models.ForeignKey(
        Grid,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("网格"),
        editable=False,
        blank=True,  # derived from the building in save(), never entered
        help_text=_("与楼栋所在网格一致，自动填写。"),
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="households", verbose_name=_("楼栋")
    )
    unit = models.CharField(_("单元"), max_length=10)
    room = models.CharField(_("房号"), max_length=10)
    head_name = models.CharField(_("户主姓名"), max_length=50)
    phone = PhoneField(_("联系电话"), max_length=11, blank=True, validators=[validate_mobile])
    id_number = models.CharField(
        _("户主身份证号"), max_length=18, blank=True, validators=[validate_id_number]
    )
    category = models.CharField(
        _("彩虹分类"), max_length=12, choices=Category.choices, default=Category.GENERAL
    )
    notes = models.TextField(_("备注"), blank=True, max_length=1000)
    last_visited_at = models.DateTimeField(_("最近走访"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    sort_key = models.CharField(
        _("排序键"), max_length=SORT_KEY_LENGTH, blank=True, default="", editable=False
    )

    scope_field = "grid"
    PERSONAL_FIELDS = ("phone", "id_number")

    class Meta:
        verbose_name = _("住户")
        verbose_name_plural = _("住户")
        ordering = ["building", "unit", "room"]
        constraints = [
            models.UniqueConstraint(fields=["building", "unit", "room"], name="household_unique_address"),
        ]
        indexes = [
            models.Index(fields=["grid", "category", "last_visited_at"], name="household_overdue_idx"),
            models.Index(fields=["phone"], name="household_phone_idx"),
            # The admin list's order: by grid, then building, unit and room as people count.
            models.Index(fields=["grid", "sort_key", "id"], name="household_natural_idx"),
        ]

    def __str__(self):
        return f"{self.building.name} {self.unit}-{self.room}"

    def save(self, *args, **kwargs):
        # The grid is derived from the building, so scoping never disagrees with it.
        if self.building_id:
            self.grid_id = self.building.grid_id
            self.fill_sort_key()
        super().save(*args, **kwargs)

    def fill_sort_key(self):
        """The natural order of the address (writes that skip save() call this themselves)."""
        self.sort_key = natural_key(self.building.name, self.unit, self.room)

    @property
    def address_label(self):
        return _("%(building)s %(unit)s单元 %(room)s室") % {
            "building": self.building.name,
            "unit": self.unit,
            "room": self.room,
        }

    @property
    def colour(self):
        return self.COLOURS[self.category]


class Resident(models.Model):
    class Relation(models.TextChoices):
        HEAD = "head", _("户主")
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")
        PARENT = "parent", _("父母")
        OTHER = "other", _("其他")

    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="residents", verbose_name=_("住户")
    )
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(
        _("与户主关系"), max_length=10, choices=Relation.choices, default=Relation.OTHER
    )
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = PhoneField(_("手机号"), max_length=11, blank=True, validators=[validate_mobile])
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, validators=[validate_id_number])
    is_party_member = models.BooleanField(_("党员"), default=False)

    scope_field = "household__grid"
    PERSONAL_FIELDS = ("phone", "id_number")

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["household", "pk"]

    def __str__(self):
        return self.name


class GridAssignment(models.Model):
    """A person serving as 网格长, 网格员, 楼栋长 or 单元长, with dates."""

    class Role(models.TextChoices):
        GRID_LEADER = "grid_leader", _("网格长")
        GRID_WORKER = "grid_worker", _("网格员")
        BUILDING_LEADER = "building_leader", _("楼栋长")
        UNIT_LEADER = "unit_leader", _("单元长")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="grid_assignments",
        verbose_name=_("人员"),
    )
    role = models.CharField(_("职责"), max_length=20, choices=Role.choices)
    grid = models.ForeignKey(
        Grid,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("网格"),
        limit_choices_to={"kind": Grid.Kind.GRID},
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("楼栋"),
    )
    unit = models.CharField(_("单元"), max_length=10, blank=True)
    start_date = models.DateField(_("开始日期"), default=timezone.localdate)
    end_date = models.DateField(_("结束日期"), null=True, blank=True)

    scope_field = "grid"

    class Meta:
        verbose_name = _("网格职责")
        verbose_name_plural = _("网格职责")
        ordering = ["grid", "role", "person"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="assignment_end_after_start",
            ),
            # One post per person: NULL buildings never compare equal, so the
            # grid-wide posts need a constraint of their own.
            models.UniqueConstraint(
                fields=["person", "role", "grid", "building", "unit"],
                condition=Q(building__isnull=False),
                name="assignment_unique_building_post",
            ),
            models.UniqueConstraint(
                fields=["person", "role", "grid", "unit"],
                condition=Q(building__isnull=True),
                name="assignment_unique_grid_post",
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.get_role_display()} · {self.grid}"

    def clean(self):
        errors = {}
        if self.grid_id and self.grid.kind != Grid.Kind.GRID:
            errors["grid"] = _("职责只能设在网格（第三级）上。")
        needs_building = self.role in (self.Role.BUILDING_LEADER, self.Role.UNIT_LEADER)
        if needs_building and not self.building_id:
            errors["building"] = _("楼栋长和单元长必须指定楼栋。")
        if self.building_id and self.grid_id and self.building.grid_id != self.grid_id:
            errors["building"] = _("楼栋不在所选网格内。")
        if self.role == self.Role.UNIT_LEADER and not self.unit:
            errors["unit"] = _("单元长必须指定单元。")
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("结束日期不能早于开始日期。")
        if errors:
            raise ValidationError(errors)

    @property
    def is_current(self):
        today = timezone.localdate()
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)


class Visit(models.Model):
    """A household visit (入户走访) logged by a grid worker."""

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("入户")
        PHONE = "phone", _("电话")
        WECHAT = "wechat", _("微信")

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="visits", verbose_name=_("住户")
    )
    grid = models.ForeignKey(
        Grid,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("网格"),
        editable=False,
        blank=True,  # the household's grid, set in save()
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("走访人"),
    )
    visited_at = models.DateTimeField(_("走访时间"), default=timezone.now)
    method = models.CharField(_("走访方式"), max_length=10, choices=Method.choices)
    findings = models.TextField(_("走访情况"), max_length=2000)
    follow_up_needed = models.BooleanField(_("需要跟进"), default=False)
    follow_up_done_at = models.DateTimeField(_("跟进完成时间"), null=True, blank=True)
    follow_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("跟进人"),
    )
    follow_up_note = models.TextField(_("跟进情况"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    scope_field = "grid"

    class Meta:
        verbose_name = _("入户走访")
        verbose_name_plural = _("入户走访")
        ordering = ["-visited_at", "-pk"]
        indexes = [
            models.Index(fields=["grid", "visited_at"], name="visit_grid_time_idx"),
            models.Index(fields=["visitor", "visited_at"], name="visit_visitor_time_idx"),
            # The visit log's order, newest first, read from the index with no sort.
            # With the grid included, a scoped late page is read from the index alone.
            models.Index(fields=["-visited_at", "-id"], include=["grid"], name="visit_recent_idx"),
            # Follow-ups still open, for the to-do: a small part of all visits,
            # and the first ones found from the index alone.
            models.Index(
                fields=["grid", "visited_at", "id"],
                name="visit_follow_up_open_idx",
                condition=Q(follow_up_needed=True, follow_up_done_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_up_done_at__isnull=True) | Q(follow_up_needed=True),
                name="visit_follow_up_done_only_if_needed",
            ),
        ]

    def __str__(self):
        return f"{self.household} · {self.visited_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        # Scoped by the household's grid at the time of the visit.
        if self.household_id and not self.grid_id:
            self.grid_id = self.household.grid_id
        super().save(*args, **kwargs)

    @property
    def follow_up_pending(self):
        return self.follow_up_needed and self.follow_up_done_at is None
