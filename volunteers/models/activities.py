"""Service activities (title, organiser team, community, place, time, capacity) and the sign-ups that hold their places."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from volunteers.models.people import Volunteer, VolunteerTeam


class Activity(models.Model):
    """A volunteer service activity (志愿服务活动) that volunteers sign up for."""

    class Category(models.TextChoices):
        LAW = "law", _("普法")
        SAFETY = "safety", _("安全")
        HEALTH = "health", _("健康")
        ENVIRONMENT = "environment", _("环保")
        EDUCATION = "education", _("教育")
        ELDERLY = "elderly", _("助老")
        CULTURE = "culture", _("文化")
        CIVILITY = "civility", _("文明实践")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        PUBLISHED = "published", _("已发布")
        CANCELLED = "cancelled", _("已取消")

    title = models.CharField(_("活动名称"), max_length=100)
    team = models.ForeignKey(
        VolunteerTeam, on_delete=models.PROTECT, related_name="activities", verbose_name=_("组织服务队")
    )
    community = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="volunteer_activities",
        verbose_name=_("所在社区"),
        help_text=_("活动所在的社区（或街道）；决定哪些工作人员能管理它。"),
    )
    place = models.CharField(_("地点"), max_length=120, help_text=_("例如：兰苑社区红色驿站"))
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    content = models.TextField(_("服务内容"), max_length=2000)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("招募人数"))
    signup_opens_at = models.DateTimeField(_("报名开始"))
    signup_closes_at = models.DateTimeField(_("报名截止"))
    members_only = models.BooleanField(_("仅限本队队员"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    signed_up_count = models.PositiveIntegerField(_("已报名"), default=0, editable=False)
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
        verbose_name = _("志愿服务活动")
        verbose_name_plural = _("志愿服务活动")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="activity_ends_after_start"),
            models.CheckConstraint(
                condition=Q(signup_closes_at__gt=F("signup_opens_at")),
                name="activity_signup_window_in_order",
            ),
            models.CheckConstraint(
                condition=Q(signup_closes_at__lte=F("ends_at")), name="activity_signup_closes_before_end"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="activity_capacity_positive"),
            # The backstop behind the row lock in signup_create: whatever a
            # code path forgets, the database never holds more sign-ups than places.
            models.CheckConstraint(
                condition=Q(signed_up_count__lte=F("capacity")), name="activity_not_over_capacity"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "starts_at"], name="activity_community_time_idx"),
            models.Index(fields=["team", "starts_at"], name="activity_team_time_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The sign-up counter is written only by the sign-up services, under
        # the activity's row lock: a stale copy saved elsewhere (an admin
        # edit, say) must not put back an old count.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "signed_up_count"
            ]
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("结束时间必须晚于开始时间。")
        if self.signup_opens_at and self.signup_closes_at and self.signup_closes_at <= self.signup_opens_at:
            errors["signup_closes_at"] = _("报名截止时间必须晚于报名开始时间。")
        elif self.signup_closes_at and self.ends_at and self.signup_closes_at > self.ends_at:
            errors["signup_closes_at"] = _("报名截止时间不能晚于活动结束时间。")
        if self.capacity is not None and self.capacity < max(self.signed_up_count or 0, 1):
            errors["capacity"] = _("招募人数不能少于已报名人数（%(n)s 人）。") % {"n": self.signed_up_count}
        if self.starts_at and self.ends_at and self.ends_at - self.starts_at > datetime.timedelta(hours=24):
            errors["ends_at"] = _("单次活动不能超过24小时，跨天的服务请分次发布。")
        if errors:
            raise ValidationError(errors)

    @property
    def places_left(self):
        return max(self.capacity - self.signed_up_count, 0)

    @property
    def duration_hours(self):
        return hours_between(self.starts_at, self.ends_at)

    def signup_state(self, now=None):
        """'open', 'not_yet', 'closed' or 'cancelled'."""
        now = now or timezone.now()
        if self.status == self.Status.CANCELLED:
            return "cancelled"
        if now < self.signup_opens_at:
            return "not_yet"
        if now >= self.signup_closes_at or now >= self.starts_at:
            return "closed"
        return "open"

    def is_over(self, now=None):
        return (now or timezone.now()) >= self.ends_at


def hours_between(start, end):
    """Decimal hours from start to end, to the nearest tenth, never negative."""
    if start is None or end is None or end <= start:
        return Decimal("0.0")
    seconds = Decimal((end - start).total_seconds())
    return (seconds / Decimal(3600)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class SignUp(models.Model):
    """A volunteer's place in an activity. Cancelling frees the place; signing up again reuses the row."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("已报名")
        CANCELLED = "cancelled", _("已取消")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="signups", verbose_name=_("活动")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="signups", verbose_name=_("志愿者")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    signed_up_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    scope_field = "activity__community"

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["signed_up_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="signup_once_per_activity"),
        ]
        indexes = [
            models.Index(fields=["volunteer", "status"], name="signup_volunteer_idx"),
            models.Index(fields=["-signed_up_at", "-id"], name="signup_recent_idx"),
        ]

    def __str__(self):
        return f"{self.volunteer} · {self.activity}"
