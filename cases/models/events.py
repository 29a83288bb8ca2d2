"""The case's event log: who did what, when, from which state to which, and why."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseEvent(models.Model):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="events", verbose_name=_("事件")
    )
    dispatch = models.ForeignKey(
        "cases.Dispatch",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("派遣"),
    )
    action = models.CharField(_("操作"), max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    from_state = models.CharField(_("原状态"), max_length=12, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12, blank=True)
    level = models.CharField(_("层级"), max_length=10, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    public = models.BooleanField(
        _("居民可见"), default=True, help_text=_("居民的查询页显示这条记录（说明除外的内部信息不显示）。")
    )
    at = models.DateTimeField(_("时间"))

    scope_field = "case__grid"

    class Meta:
        verbose_name = _("事件记录")
        verbose_name_plural = _("事件记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_case_time_idx")]

    def __str__(self):
        return f"{self.action} · {self.at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self):
        from cases.transitions import ACTIONS

        spec = ACTIONS.get(self.action)
        return spec.label if spec else self.action

    def get_from_state_display(self):
        return _state_label(self.from_state)

    def get_to_state_display(self):
        return _state_label(self.to_state)


def _state_label(value):
    from cases.models.cases import CaseState
    from cases.models.dispatches import DispatchState

    for choices in (CaseState, DispatchState):
        if value in choices.values:
            return choices(value).label
    return value
