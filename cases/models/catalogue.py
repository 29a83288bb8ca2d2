"""What the street edits: the categories of cases with their time limits, and the departments that answer them."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Where a case is held; a case passes up in this order."""

    GRID = "grid", _("网格")
    COMMUNITY = "community", _("社区")
    STREET = "street", _("街道")

    @classmethod
    def above(cls, level):
        order = [cls.GRID, cls.COMMUNITY, cls.STREET]
        index = order.index(level)
        return order[min(index + 1, len(order) - 1)]

    @classmethod
    def below(cls, level):
        order = [cls.GRID, cls.COMMUNITY, cls.STREET]
        return order[max(order.index(level) - 1, 0)]


_HOURS = [MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("2000"))]


class Category(models.Model):
    """A kind of case (环境卫生, 市政设施 …), with the level that handles it first and its two limits."""

    street = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="case_categories",
        verbose_name=_("街道"),
        limit_choices_to={"kind": "street"},
    )
    name = models.CharField(_("名称"), max_length=30)
    first_level = models.CharField(
        _("首先处理的层级"), max_length=10, choices=Level.choices, default=Level.GRID
    )
    sign_hours = models.DecimalField(
        _("签收时限（工作小时）"),
        max_digits=6,
        decimal_places=1,
        default=Decimal("4"),
        validators=_HOURS,
        help_text=_("从上报或派遣起，多少个工作小时内要受理或签收。"),
    )
    finish_hours = models.DecimalField(
        _("办结时限（工作小时）"),
        max_digits=6,
        decimal_places=1,
        default=Decimal("40"),
        validators=_HOURS,
        help_text=_("从受理或签收起，多少个工作小时内要办结。"),
    )
    active = models.BooleanField(_("启用"), default=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    scope_field = "street"

    class Meta:
        verbose_name = _("事件类别")
        verbose_name_plural = _("事件类别")
        ordering = ["street", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="case_category_unique_name"),
        ]

    def __str__(self):
        return self.name


class Department(models.Model):
    """A department the street dispatches cases to (住建, 城管, 派出所 …), with its liaison accounts."""

    street = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="case_departments",
        verbose_name=_("街道"),
        limit_choices_to={"kind": "street"},
    )
    name = models.CharField(_("名称"), max_length=40)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    liaisons = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="case_departments",
        verbose_name=_("联络员"),
    )
    active = models.BooleanField(_("启用"), default=True)

    scope_field = "street"

    class Meta:
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")
        ordering = ["street", "name"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="case_department_unique_name"),
        ]

    def __str__(self):
        return self.name
