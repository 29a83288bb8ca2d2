"""A dispatch (吹哨): a case sent by the street to one responder, a department or a member unit."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DispatchState(models.TextChoices):
    DISPATCHED = "dispatched", _("待签收")
    SIGNED = "signed", _("已签收")
    ARRIVED = "arrived", _("已到场")
    DONE = "done", _("已办结")
    RETURNED = "returned", _("已退回")


class Dispatch(models.Model):
    # Dispatches the responder still owes something.
    LIVE = (DispatchState.DISPATCHED, DispatchState.SIGNED, DispatchState.ARRIVED)

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="dispatches", verbose_name=_("事件")
    )
    # The case's street, copied when the dispatch is made (a case never changes street): a street's
    # dispatches of a month are then one index range, without reading the street's cases.
    street = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("街道"),
        editable=False,
        db_index=False,
    )
    department = models.ForeignKey(
        "cases.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatches",
        verbose_name=_("职能部门"),
    )
    unit = models.ForeignKey(
        "alliances.MemberUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_dispatches",
        verbose_name=_("驻区单位"),
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=DispatchState.choices, default=DispatchState.DISPATCHED
    )
    note = models.CharField(_("派遣要求"), max_length=200, blank=True)
    reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    result = models.TextField(_("办理结果"), max_length=1000, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("派遣人"),
    )
    dispatched_at = models.DateTimeField(_("派遣时间"))
    sign_due_at = models.DateTimeField(_("签收期限"))
    finish_due_at = models.DateTimeField(_("办结期限"), null=True, blank=True)
    sign_overdue_at = models.DateTimeField(_("超时未签收"), null=True, blank=True)
    finish_overdue_at = models.DateTimeField(_("超时未办结"), null=True, blank=True)
    near_reminded_at = models.DateTimeField(_("临期提醒时间"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签收人"),
    )
    arrived_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)

    scope_field = "case__grid"

    class Meta:
        verbose_name = _("派遣")
        verbose_name_plural = _("派遣")
        ordering = ["dispatched_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False, unit__isnull=True)
                | Q(department__isnull=True, unit__isnull=False),
                name="dispatch_exactly_one_responder",
            ),
            models.UniqueConstraint(
                fields=["case", "department"],
                condition=Q(state__in=["dispatched", "signed", "arrived"]) & Q(department__isnull=False),
                name="dispatch_one_live_per_department",
            ),
            models.UniqueConstraint(
                fields=["case", "unit"],
                condition=Q(state__in=["dispatched", "signed", "arrived"]) & Q(unit__isnull=False),
                name="dispatch_one_live_per_unit",
            ),
        ]
        indexes = [
            # A responder's list: their live dispatches, newest first.
            models.Index(fields=["department", "state", "-dispatched_at"], name="dispatch_department_idx"),
            models.Index(fields=["unit", "state", "-dispatched_at"], name="dispatch_unit_idx"),
            # … and all of them, newest first.
            models.Index(fields=["department", "-dispatched_at", "-id"], name="dispatch_department_time_idx"),
            models.Index(fields=["unit", "-dispatched_at", "-id"], name="dispatch_unit_time_idx"),
            # The numbers: the dispatches of one month, everywhere or in one street.
            models.Index(fields=["dispatched_at"], name="dispatch_time_idx"),
            models.Index(fields=["street", "dispatched_at"], name="dispatch_street_time_idx"),
            models.Index(
                fields=["sign_due_at"],
                name="dispatch_sign_due_idx",
                condition=Q(state="dispatched", sign_overdue_at__isnull=True),
            ),
            models.Index(
                fields=["finish_due_at"],
                name="dispatch_finish_due_idx",
                condition=Q(state__in=["signed", "arrived"], finish_overdue_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.case_id} → {self.responder}"

    def save(self, *args, **kwargs):
        if self.street_id is None and self.case_id is not None:
            self.street_id = self.case.street_id
        super().save(*args, **kwargs)

    @property
    def responder(self):
        return self.department or self.unit

    @property
    def is_live(self):
        return self.state in self.LIVE
