"""Joint meetings (联席会议): attendance, problems raised and their follow-up."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from alliances.models.alliances import Alliance
from alliances.models.units import MemberUnit
from portal.months import month_start


class JointMeeting(models.Model):
    """A joint meeting (联席会议) of an alliance, chaired by the month's chair unit."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("已安排")
        HELD = "held", _("已召开")
        CANCELLED = "cancelled", _("已取消")

    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("联盟")
    )
    title = models.CharField(_("会议名称"), max_length=100)
    held_at = models.DateTimeField(_("会议时间"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    chair_unit = models.ForeignKey(
        MemberUnit,
        on_delete=models.PROTECT,
        related_name="chaired_meetings",
        verbose_name=_("轮值主席单位"),
        editable=False,
    )
    agenda = models.TextField(_("议程"), max_length=4000)
    minutes = models.TextField(_("会议纪要"), max_length=10000, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED, editable=False
    )
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_field = "alliance__grid"

    class Meta:
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")
        ordering = ["-held_at", "-pk"]
        indexes = [models.Index(fields=["alliance", "held_at"], name="meeting_alliance_time_idx")]

    def __str__(self):
        return self.title

    @cached_property
    def month(self):
        return month_start(timezone.localtime(self.held_at).date())

    @property
    def awaiting_record(self):
        """Its time has passed but nobody has recorded attendance and minutes yet."""
        return self.status == self.Status.PLANNED and self.held_at <= timezone.now()


class MeetingAttendance(models.Model):
    """Whether one member unit attended a meeting. Present units earn points."""

    class Status(models.TextChoices):
        PRESENT = "present", _("出席")
        EXCUSED = "excused", _("请假")
        ABSENT = "absent", _("缺席")

    meeting = models.ForeignKey(
        JointMeeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("会议")
    )
    unit = models.ForeignKey(
        MemberUnit, on_delete=models.PROTECT, related_name="meeting_attendances", verbose_name=_("成员单位")
    )
    status = models.CharField(_("出席情况"), max_length=10, choices=Status.choices)
    attendee = models.CharField(_("参会人"), max_length=100, blank=True)

    scope_field = "meeting__alliance__grid"

    class Meta:
        verbose_name = _("会议出席")
        verbose_name_plural = _("会议出席")
        ordering = ["meeting", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "unit"], name="attendance_once_per_unit"),
        ]

    def __str__(self):
        return f"{self.unit} · {self.get_status_display()}"


class MeetingProblem(models.Model):
    """A problem raised at a joint meeting, with the unit that owns it and its follow-up."""

    class Status(models.TextChoices):
        OPEN = "open", _("待办理")
        IN_PROGRESS = "in_progress", _("办理中")
        RESOLVED = "resolved", _("已办结")

    meeting = models.ForeignKey(
        JointMeeting, on_delete=models.CASCADE, related_name="problems", verbose_name=_("会议")
    )
    description = models.TextField(_("问题"), max_length=1000)
    raised_by_unit = models.ForeignKey(
        MemberUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提出单位"),
    )
    owner_unit = models.ForeignKey(
        MemberUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_problems",
        verbose_name=_("责任单位"),
    )
    owner_name = models.CharField(_("责任人"), max_length=50, blank=True)
    due_on = models.DateField(_("办结期限"), null=True, blank=True)
    status = models.CharField(
        _("办理状态"), max_length=12, choices=Status.choices, default=Status.OPEN, editable=False
    )
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now, editable=False)

    scope_field = "meeting__alliance__grid"

    class Meta:
        verbose_name = _("会议问题")
        verbose_name_plural = _("会议问题")
        ordering = ["meeting", "pk"]
        indexes = [models.Index(fields=["owner_unit", "status"], name="problem_owner_status_idx")]

    def __str__(self):
        return self.description[:40]

    def clean(self):
        if not self.owner_unit_id and not self.owner_name:
            raise ValidationError(_("请指定责任单位或责任人。"))


class ProblemFollowUp(models.Model):
    """History: a dated follow-up of a meeting problem, with the status it left it in."""

    problem = models.ForeignKey(
        MeetingProblem, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("问题")
    )
    status = models.CharField(_("办理状态"), max_length=12, choices=MeetingProblem.Status.choices)
    note = models.TextField(_("办理情况"), max_length=1000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("办理人"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    scope_field = "problem__meeting__alliance__grid"

    class Meta:
        verbose_name = _("问题跟进")
        verbose_name_plural = _("问题跟进")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.problem} · {self.get_status_display()}"
