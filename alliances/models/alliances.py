"""Alliances (区域党建联盟, 区域化党委委员会), their members with the covenant, and the rotating chair."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.models.units import MemberUnit
from portal.months import month_end


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
