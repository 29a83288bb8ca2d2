"""Pairings (一对一结对): a vulnerable household and a named partner who keeps in touch.

A partner is a party member or a volunteer (their volunteer record, with a
login) or a cadre (a staff login). Their contacts are household visits
(grids.Visit), so the one overdue rule (Household.last_visited_at) counts them.
"""

from django.conf import settings
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
