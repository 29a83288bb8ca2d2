"""Notifications: what happened to someone, and its delivery by each channel.

A `Notification` is written in the same transaction as the change it is
about (the receivers in inbox/receivers.py), so the rows are the outbox:
nothing is lost if the broker is down. It is shown in the portal to its
recipient; a resident without an account is addressed by phone number and
hears by SMS only. Each channel beyond the portal (e-mail, SMS) gets one
`Delivery`, unique per notification and channel, which a sender claims with a
conditional UPDATE before sending, so a message is never sent twice.
Recipients who prefer a digest get their deliveries held and gathered into
one `Digest` a day.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    WISH_PUBLISHED = "wish_published", _("心愿已发布")
    WISH_REJECTED = "wish_rejected", _("心愿未通过审核")
    WISH_CLAIMED = "wish_claimed", _("心愿已被认领")
    GRID_WISH_CLAIMED = "grid_wish_claimed", _("网格内的心愿被认领")
    CLAIM_WITHDRAWN = "claim_withdrawn", _("认领已撤回")
    CLAIM_FULFILLED = "claim_fulfilled", _("心愿待确认")
    CLAIM_CONFIRMED = "claim_confirmed", _("居民已确认")
    WISH_NOT_DONE = "wish_not_done", _("居民反馈还没实现")
    WISH_CLOSED = "wish_closed", _("心愿已关闭")
    WISH_OVERDUE = "wish_overdue", _("心愿逾期无人认领")
    TRACKING_CODE = "tracking_code", _("找回查询码的验证码")
    CLAIM_DUE = "claim_due", _("认领的心愿快到期了")
    ACTIVITY_REMINDER = "activity_reminder", _("活动提醒")
    ACTIVITY_CANCELLED = "activity_cancelled", _("活动已取消")
    PROJECT_MATCHED = "project_matched", _("需求匹配给了本单位")
    MEETING_SCHEDULED = "meeting_scheduled", _("联席会议通知")
    NEED_OFFERED = "need_offered", _("单位认领了需求")
    NEED_OFFER_DECLINED = "need_offer_declined", _("认领的需求未被采纳")
    CASE_WAITING = "case_waiting", _("网格事件待处理")
    CASE_DISPATCHED = "case_dispatched", _("网格事件派遣到本单位")
    DISPATCH_RETURNED = "dispatch_returned", _("派遣的事件被退回")
    CASE_DONE = "case_done", _("网格事件待核实")
    CASE_VERIFIED = "case_verified", _("反映的问题已办结，请评价")
    CASE_DECLINED = "case_declined", _("反映的问题不予受理")
    CASE_OVERDUE = "case_overdue", _("网格事件超时")
    CASE_NEAR_LIMIT = "case_near_limit", _("网格事件快到办结时限")


class Channel(models.TextChoices):
    EMAIL = "email", _("邮件")
    SMS = "sms", _("短信")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    phone = models.CharField(
        _("接收手机号"), max_length=11, blank=True, help_text=_("没有账号的居民：只发短信。")
    )
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    params = models.JSONField(_("内容参数"), default=dict, blank=True)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    key = models.CharField(
        _("事件键"), max_length=120, unique=True, help_text=_("同一事件对同一接收人只写一条。")
    )
    grid = models.ForeignKey(
        "grids.Grid",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所属网格"),
    )
    created_at = models.DateTimeField(_("时间"), db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    scope_field = "grid"
    PERSONAL_FIELDS = ("phone",)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(recipient__isnull=False) & Q(phone=""))
                | (Q(recipient__isnull=True) & ~Q(phone="")),
                name="notification_user_or_phone",
            ),
        ]
        indexes = [
            # The inbox page and the unread count.
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient"], name="notification_unread_idx", condition=Q(read_at__isnull=True)
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient or self.phone}"

    @property
    def title(self):
        from inbox.messages import render_title

        return render_title(self)

    @property
    def body(self):
        from inbox.messages import render_body

        return render_body(self)


class SendStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    HELD = "held", _("等待摘要")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    DIGESTED = "digested", _("已并入摘要")
    SKIPPED = "skipped", _("无需发送")
    FAILED = "failed", _("发送失败")


class Delivery(models.Model):
    """One notification by one channel; claimed with a conditional UPDATE before it is sent."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("消息")
    )
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    address = models.CharField(_("地址"), max_length=254, help_text=_("邮箱或手机号，写入时的值。"))
    status = models.CharField(
        _("状态"), max_length=10, choices=SendStatus.choices, default=SendStatus.PENDING
    )
    not_before = models.DateTimeField(
        _("最早发送时间"), null=True, blank=True, help_text=_("免打扰时段结束或重试时间。")
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    claimed_at = models.DateTimeField(_("开始发送"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    provider_ref = models.CharField(_("服务商回执"), max_length=80, blank=True)
    digest = models.ForeignKey(
        "Digest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("摘要"),
    )
    created_at = models.DateTimeField(_("创建时间"))

    scope_field = "notification__grid"
    PERSONAL_FIELDS = ("address",)

    class Meta:
        verbose_name = _("消息发送")
        verbose_name_plural = _("消息发送")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel"),
        ]
        indexes = [
            # The sweep: what is still pending, by due time.
            models.Index(
                fields=["not_before", "id"],
                name="delivery_pending_idx",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["status", "channel"], name="delivery_status_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.get_status_display()}"


class Digest(models.Model):
    """One user's daily message by one channel: held notifications, or the to-do list."""

    class Content(models.TextChoices):
        NOTIFICATIONS = "notifications", _("消息摘要")
        TODO = "todo", _("每日待办")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("用户")
    )
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    content = models.CharField(_("内容"), max_length=16, choices=Content.choices)
    day = models.DateField(_("日期"))
    key = models.CharField(_("键"), max_length=120, unique=True)
    address = models.CharField(_("地址"), max_length=254)
    subject = models.CharField(_("标题"), max_length=120, blank=True)
    text = models.TextField(_("内容"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=SendStatus.choices, default=SendStatus.PENDING
    )
    not_before = models.DateTimeField(_("最早发送时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    claimed_at = models.DateTimeField(_("开始发送"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    PERSONAL_FIELDS = ("address",)

    class Meta:
        verbose_name = _("摘要")
        verbose_name_plural = _("摘要")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["not_before", "id"], name="digest_pending_idx", condition=Q(status="pending")
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_content_display()} · {self.day}"


def _quiet_start():
    return settings.INBOX_QUIET_START


def _quiet_end():
    return settings.INBOX_QUIET_END


class Preference(models.Model):
    """How one user wants to hear: channels, a daily digest, SMS quiet hours."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="inbox_preference",
        verbose_name=_("用户"),
    )
    email = models.BooleanField(_("邮件通知"), default=True)
    sms = models.BooleanField(_("短信通知"), default=True)
    digest = models.BooleanField(
        _("每日摘要"), default=False, help_text=_("邮件和短信每天汇总发一次，不再逐条发送。")
    )
    todo_email = models.BooleanField(
        _("每日待办邮件"), default=True, help_text=_("有待办时，每天发一封邮件。")
    )
    digest_hour = models.PositiveSmallIntegerField(_("摘要时间（点）"), default=8)
    quiet_start = models.PositiveSmallIntegerField(_("免打扰开始（点）"), default=_quiet_start)
    quiet_end = models.PositiveSmallIntegerField(_("免打扰结束（点）"), default=_quiet_end)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")
        constraints = [
            models.CheckConstraint(condition=Q(digest_hour__lte=23), name="preference_digest_hour_0_23"),
            models.CheckConstraint(condition=Q(quiet_start__lte=23), name="preference_quiet_start_0_23"),
            models.CheckConstraint(condition=Q(quiet_end__lte=23), name="preference_quiet_end_0_23"),
        ]

    def __str__(self):
        return str(self.user)
