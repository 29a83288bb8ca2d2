"""Pairings (一对一结对) and posts (认岗): who keeps in touch with a vulnerable household, who serves where.

A partner is a party member or a volunteer (their volunteer record, with a
login) or a cadre (a staff login). Their contacts are household visits
(grids.Visit), so the one overdue rule (Household.last_visited_at) counts them.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PairingQuerySet(models.QuerySet):
    def current(self, today=None):
        """Pairings in force on `today`: started, and not ended before it."""
        today = today or timezone.localdate()
        return self.filter(start_date__lte=today).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))


class Pairing(models.Model):
    """One partner for one vulnerable household, from a start date (to an end date)."""

    class PartnerKind(models.TextChoices):
        PARTY_MEMBER = "party_member", _("党员")
        CADRE = "cadre", _("干部")
        VOLUNTEER = "volunteer", _("志愿者")

    household = models.ForeignKey(
        "grids.Household", on_delete=models.PROTECT, related_name="pairings", verbose_name=_("住户")
    )
    grid = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("网格"),
        editable=False,
        blank=True,  # the household's grid, set in save()
    )
    partner_kind = models.CharField(_("结对人身份"), max_length=15, choices=PartnerKind.choices)
    partner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="pairings",
        verbose_name=_("结对人账号"),
        help_text=_("结对人登录用的账号；党员和志愿者取其志愿者档案的账号。"),
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pairings",
        verbose_name=_("志愿者档案"),
    )
    start_date = models.DateField(_("开始日期"), default=timezone.localdate)
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = PairingQuerySet.as_manager()

    scope_field = "grid"

    class Meta:
        verbose_name = _("结对帮扶")
        verbose_name_plural = _("结对帮扶")
        ordering = ["grid", "household", "start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="pairing_end_after_start",
            ),
            # One open pairing of the same partner with the same household.
            models.UniqueConstraint(
                fields=["household", "partner"],
                condition=Q(end_date__isnull=True),
                name="pairing_unique_open",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "end_date"], name="pairing_partner_idx"),
            models.Index(fields=["grid", "end_date"], name="pairing_grid_idx"),
        ]

    def __str__(self):
        return f"{self.household} · {self.partner_name}"

    def save(self, *args, **kwargs):
        if self.household_id:
            self.grid_id = self.household.grid_id
        super().save(*args, **kwargs)

    @property
    def partner_name(self):
        if self.volunteer_id:
            return self.volunteer.name
        return getattr(self.partner, "full_name", "") or self.partner.get_username()

    def is_current(self, today=None):
        today = today or timezone.localdate()
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)


class Post(models.Model):
    """A community post (岗位) that party members claim (认岗) and serve: 帮扶助困岗, 文明劝导岗 …"""

    class Kind(models.TextChoices):
        HELP = "help", _("帮扶助困岗")
        CIVILITY = "civility", _("文明劝导岗")
        PUBLICITY = "publicity", _("政策宣传岗")
        ENVIRONMENT = "environment", _("环境维护岗")
        PATROL = "patrol", _("平安巡逻岗")
        OTHER = "other", _("其他岗位")

    community = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("社区"),
        limit_choices_to={"kind": "community"},
    )
    kind = models.CharField(_("岗位类别"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("岗位名称"), max_length=60, help_text=_("例如：兰苑社区独居老人帮扶岗"))
    duties = models.TextField(_("岗位职责"), max_length=1000)
    place = models.CharField(_("服务地点"), max_length=120, help_text=_("例如：兰苑社区3号楼至8号楼"))
    building = models.ForeignKey(
        "grids.Building",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所在楼栋"),
        help_text=_("岗位在一栋楼时选择它：同意亮身份的认领党员会印在这栋楼的公示牌上。"),
    )
    capacity = models.PositiveSmallIntegerField(
        _("名额"),
        help_text=_("最多可由几名党员认领。"),
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )
    claimed_count = models.PositiveSmallIntegerField(_("已认领"), default=0, editable=False)
    is_open = models.BooleanField(
        _("开放认领"), default=True, help_text=_("关闭后不再接受认领，已认领的党员照常服务。")
    )
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
        verbose_name = _("党员岗位")
        verbose_name_plural = _("党员岗位")
        ordering = ["community", "kind", "title", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="post_capacity_positive"),
            models.CheckConstraint(
                condition=Q(claimed_count__lte=models.F("capacity")), name="post_claimed_within_capacity"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def places_left(self):
        return max(self.capacity - self.claimed_count, 0)


class PostClaim(models.Model):
    """A party member's claim of a post (认岗), from the day claimed until they step down."""

    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="claims", verbose_name=_("岗位"))
    volunteer = models.ForeignKey(
        "volunteers.Volunteer", on_delete=models.PROTECT, related_name="post_claims", verbose_name=_("党员")
    )
    community = models.ForeignKey(
        "grids.Grid", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"), editable=False
    )
    claimed_at = models.DateTimeField(_("认领时间"), default=timezone.now)
    left_at = models.DateTimeField(_("卸任时间"), null=True, blank=True)

    scope_field = "community"

    class Meta:
        verbose_name = _("认岗")
        verbose_name_plural = _("认岗")
        ordering = ["-claimed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "volunteer"],
                condition=Q(left_at__isnull=True),
                name="post_claim_unique_active",
            ),
        ]

    def __str__(self):
        return f"{self.post} · {self.volunteer}"

    @property
    def is_active(self):
        return self.left_at is None


class PostService(models.Model):
    """One stint of service on a claimed post, recorded by the party member; its hours earn points once verified."""

    claim = models.ForeignKey(
        PostClaim, on_delete=models.PROTECT, related_name="services", verbose_name=_("认岗")
    )
    community = models.ForeignKey(
        "grids.Grid", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"), editable=False
    )
    served_on = models.DateField(_("服务日期"))
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=4, decimal_places=1)
    content = models.CharField(_("服务内容"), max_length=200)
    recorded_at = models.DateTimeField(_("填报时间"), default=timezone.now)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核验人"),
    )
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)

    scope_field = "community"

    class Meta:
        verbose_name = _("岗位服务记录")
        verbose_name_plural = _("岗位服务记录")
        ordering = ["-served_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="post_service_hours_range"
            ),
        ]
        indexes = [models.Index(fields=["community", "verified_at"], name="post_service_queue_idx")]

    def __str__(self):
        return f"{self.claim} · {self.served_on}"
