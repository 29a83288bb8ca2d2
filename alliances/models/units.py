"""Member units (驻区单位), and how a volunteer's free-text work unit is matched to one."""

import re
import unicodedata
from collections import defaultdict

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from points.models import SubjectKind


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
