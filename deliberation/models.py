"""Deliberation (议事协商): matters residents raise, sessions that talk them through, votes, resolutions.

"协商议题党组织把关、协商过程党组织牵头、协商结果党组织监督": a matter (topic) is
raised by a resident (the grid's QR code), a grid worker or a secretary, or
comes from a grid case; the community's party organisation (its secretary or
street staff) accepts it with a reason or declines it; sessions (议事会,
居民说事日, 坝坝会 …) talk it through, with an optional vote of one ballot per
household; resolutions name an owner and a due date and are followed to done,
and may open a grid case. Each community's public notice (公示) shows the
matters, resolutions and progress, without personal data.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.fields import PhoneField


class Topic(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        ACCEPTED = "accepted", _("已受理")
        DECLINED = "declined", _("未受理")
        RESOLVED = "resolved", _("已形成决议")
        DONE = "done", _("已办结")

    class Source(models.TextChoices):
        RESIDENT = "resident", _("居民提出")
        GRID_WORKER = "grid_worker", _("网格员提出")
        STAFF = "staff", _("社区提出")
        CASE = "case", _("网格事件转来")

    PUBLIC_STATUSES = (Status.ACCEPTED, Status.RESOLVED, Status.DONE)

    code = models.CharField(_("查询码"), max_length=16, unique=True, editable=False)
    community = models.ForeignKey(
        "grids.Grid", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    grid = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("网格"),
    )
    title = models.CharField(_("议题"), max_length=60)
    description = models.TextField(_("具体情况"), max_length=1000)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提出人账号"),
    )
    resident_name = models.CharField(_("提出人称呼"), max_length=20, blank=True)
    resident_phone = PhoneField(_("提出人手机"), max_length=20, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("来源事件"),
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    vet_reason = models.CharField(_("审核意见"), max_length=200, blank=True)
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    vetted_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now)

    scope_field = "community"
    PERSONAL_FIELDS = ("resident_phone",)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["community", "status"], name="topic_queue_idx")]

    def __str__(self):
        return self.title


class Session(models.Model):
    """One sitting that talks a topic through, with who took part, the record and an optional vote."""

    class Kind(models.TextChoices):
        COUNCIL = "council", _("党群议事会")
        TALK_DAY = "talk_day", _("居民说事日")
        YARD = "yard", _("坝坝会")
        CO_GOVERNANCE = "co_governance", _("共治议事会")

    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("议题")
    )
    community = models.ForeignKey(
        "grids.Grid", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"), editable=False
    )
    kind = models.CharField(_("形式"), max_length=14, choices=Kind.choices)
    held_at = models.DateTimeField(_("时间"))
    place = models.CharField(_("地点"), max_length=100)
    representatives = models.PositiveSmallIntegerField(
        _("居民代表"), default=0, validators=[MaxValueValidator(2000)]
    )
    building_leaders = models.PositiveSmallIntegerField(
        _("楼栋长"), default=0, validators=[MaxValueValidator(2000)]
    )
    party_members = models.PositiveSmallIntegerField(
        _("双报到党员"), default=0, validators=[MaxValueValidator(2000)]
    )
    unit_liaisons = models.PositiveSmallIntegerField(
        _("驻区单位代表"), default=0, validators=[MaxValueValidator(2000)]
    )
    deputies = models.PositiveSmallIntegerField(
        _("两代表一委员"), default=0, validators=[MaxValueValidator(2000)]
    )
    record = models.TextField(_("会议纪要"), max_length=5000)
    vote_question = models.CharField(
        _("表决事项"), max_length=200, blank=True, help_text=_("需要按户表决时填写，例如：是否同意加装电梯。")
    )
    vote_open = models.BooleanField(_("接受投票"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )

    scope_field = "community"

    class Meta:
        verbose_name = _("议事会")
        verbose_name_plural = _("议事会")
        ordering = ["-held_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} · {timezone.localtime(self.held_at):%Y-%m-%d}"

    @property
    def attendance(self):
        return (
            self.representatives
            + self.building_leaders
            + self.party_members
            + self.unit_liaisons
            + self.deputies
        )


class Vote(models.Model):
    """One household's ballot on a session's question: one per household, however it was cast."""

    class Choice(models.TextChoices):
        YES = "yes", _("同意")
        NO = "no", _("反对")
        ABSTAIN = "abstain", _("弃权")

    class Via(models.TextChoices):
        SESSION = "session", _("会上登记")
        CODE = "code", _("投票码")

    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="votes", verbose_name=_("议事会")
    )
    household = models.ForeignKey(
        "grids.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("住户")
    )
    choice = models.CharField(_("意见"), max_length=8, choices=Choice.choices)
    via = models.CharField(_("方式"), max_length=8, choices=Via.choices)
    cast_at = models.DateTimeField(_("投票时间"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )

    scope_field = "session__community"

    class Meta:
        verbose_name = _("表决票")
        verbose_name_plural = _("表决票")
        constraints = [
            models.UniqueConstraint(fields=["session", "household"], name="vote_one_per_household"),
        ]

    def __str__(self):
        return f"{self.session} · {self.get_choice_display()}"


class VoteCode(models.Model):
    """A one-time code handed to a household to vote away from the session; only its hash is kept."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="codes", verbose_name=_("议事会")
    )
    household = models.ForeignKey(
        "grids.Household", on_delete=models.CASCADE, related_name="+", verbose_name=_("住户")
    )
    digest = models.CharField(_("投票码摘要"), max_length=64, unique=True)
    issued_at = models.DateTimeField(_("发放时间"), default=timezone.now)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("投票码")
        verbose_name_plural = _("投票码")
        constraints = [
            models.UniqueConstraint(fields=["session", "household"], name="vote_code_one_per_household"),
        ]

    def __str__(self):
        return f"{self.session} · {self.household_id}"


class Resolution(models.Model):
    """What a session decided, with an owner and a due date, followed to done."""

    class Status(models.TextChoices):
        OPEN = "open", _("落实中")
        DONE = "done", _("已落实")

    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="resolutions", verbose_name=_("议题")
    )
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("议事会")
    )
    community = models.ForeignKey(
        "grids.Grid", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"), editable=False
    )
    text = models.CharField(_("决议内容"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("负责人")
    )
    due_date = models.DateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=6, choices=Status.choices, default=Status.OPEN)
    progress = models.CharField(_("最新进展"), max_length=300, blank=True)
    progress_at = models.DateTimeField(_("进展更新时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("落实时间"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("转办事件"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    scope_field = "community"

    class Meta:
        verbose_name = _("决议")
        verbose_name_plural = _("决议")
        ordering = ["status", "due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(done_at__isnull=False), name="resolution_done_has_time"
            ),
        ]
        indexes = [models.Index(fields=["owner", "status"], name="resolution_owner_idx")]

    def __str__(self):
        return self.text
