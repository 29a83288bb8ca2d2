from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.validators import validate_mobile


class SubjectKind(models.TextChoices):
    """Who can earn points. A model that earns them sets `points_subject_kind`."""

    PERSON = "person", _("个人")
    TEAM = "team", _("志愿服务队")
    UNIT = "unit", _("驻区单位")


class PointsRule(models.Model):
    """How many points an event earns; edited by street staff."""

    class Basis(models.TextChoices):
        EVENT = "event", _("按次")
        HOUR = "hour", _("按小时")

    code = models.SlugField(_("规则代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    subject_kind = models.CharField(_("积分对象"), max_length=10, choices=SubjectKind.choices)
    basis = models.CharField(_("计分方式"), max_length=10, choices=Basis.choices, default=Basis.EVENT)
    points = models.DecimalField(_("分值"), max_digits=7, decimal_places=2)
    active_from = models.DateField(_("生效日期"), null=True, blank=True)
    active_until = models.DateField(_("失效日期"), null=True, blank=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["subject_kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_until__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_until__gte=models.F("active_from")),
                name="points_rule_dates_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.points}）"

    def is_active_on(self, day):
        return (self.active_from is None or self.active_from <= day) and (
            self.active_until is None or day <= self.active_until
        )


class PointsEntry(models.Model):
    """One line of the append-only points ledger.

    It names its rule, its subject (a person, team or unit) and its source
    (what earned it). The same source earns a subject points under a rule at
    most once: a unique constraint, not a convention. Corrections are new
    reversing entries; an entry is never edited or deleted.
    """

    rule = models.ForeignKey(
        PointsRule, on_delete=models.PROTECT, related_name="entries", verbose_name=_("规则")
    )
    subject_kind = models.CharField(_("积分对象"), max_length=10, choices=SubjectKind.choices)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("对象类型")
    )
    subject_id = models.PositiveBigIntegerField(_("对象编号"))
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_label = models.CharField(_("对象"), max_length=100)
    street = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属街道"),
        help_text=_("排名在街道内进行。"),
    )
    grid = models.ForeignKey(
        "grids.Grid", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属网格节点")
    )
    source_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("来源类型")
    )
    source_id = models.PositiveBigIntegerField(_("来源编号"))
    source = GenericForeignKey("source_type", "source_id")
    quantity = models.DecimalField(_("数量"), max_digits=9, decimal_places=2, default=1)
    points = models.DecimalField(_("积分"), max_digits=9, decimal_places=2)
    occurred_at = models.DateTimeField(_("发生时间"))
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("冲销的记录"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    scope_field = "grid"

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分台账")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_type", "subject_id", "source_type", "source_id"],
                condition=Q(reverses__isnull=True),
                name="points_once_per_source",
            ),
        ]
        indexes = [
            models.Index(fields=["street", "occurred_at"], name="points_street_time_idx"),
            models.Index(
                fields=["subject_type", "subject_id", "occurred_at"], name="points_subject_time_idx"
            ),
        ]

    def __str__(self):
        return f"{self.subject_label} {self.points:+} · {self.rule.name}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("points ledger entries are never changed; add a reversing entry")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("points ledger entries are never deleted; add a reversing entry")


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


class Volunteer(models.Model):
    """A person who volunteers: a resident or an in-service party member, optionally with a login."""

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
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    phone = models.CharField(_("手机号"), max_length=11, blank=True, validators=[validate_mobile])
    community = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="volunteers",
        verbose_name=_("居住社区"),
    )
    is_party_member = models.BooleanField(_("党员"), default=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    scope_field = "community"
    points_subject_kind = SubjectKind.PERSON
    PERSONAL_FIELDS = ("phone",)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name
