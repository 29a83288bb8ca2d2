from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from volunteers.models import SubjectKind


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
