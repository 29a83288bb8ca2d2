"""Micro-wishes (微心愿): a resident's wish, its claims, its history.

A resident submits a wish on the public form and keeps a tracking code.
Community staff publish it (with a number of slots: 1 = 一对一, N = 多对一)
or reject it. Volunteers, volunteer teams and member units claim it; a
claim holds one slot until it is withdrawn. Claimants mark their claim
fulfilled; the resident confirms and rates each fulfilled claim, which earns
the claimant points. Every change of state writes a WishEvent, which the
resident's tracking page shows as a timeline.
"""

import os
import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.fields import PhoneField
from portal.text import place_name
from portal.validators import validate_mobile

# Readable codes: no 0/O or 1/I, which people confuse when they type them.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 12  # 32**12 = 2**60 possible codes


def new_tracking_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(value):
    """What a person typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())[: CODE_LENGTH + 8]


class PrivateStorage(FileSystemStorage):
    """Fulfilment photos: outside MEDIA_ROOT and without a public URL.

    Photos show a resident's home; they are only served by a view that checks
    who is asking (see wishes.views.claim_photo).
    """

    # Read on every use, not once, so tests can point it at a temporary folder.
    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(settings.PRIVATE_MEDIA_ROOT)

    @property
    def base_url(self):
        return None


def _private_storage():
    return PrivateStorage()


class Wish(models.Model):
    class Category(models.TextChoices):
        DAILY = "daily", _("生活")
        STUDY = "study", _("学习")
        HEALTH = "health", _("医疗")
        JOBS = "jobs", _("就业")
        ELDERLY = "elderly", _("助老")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        REJECTED = "rejected", _("未通过")
        PUBLISHED = "published", _("待认领")
        PARTLY_CLAIMED = "partly_claimed", _("部分认领")
        CLAIMED = "claimed", _("已认领")
        FULFILLED = "fulfilled", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        CLOSED = "closed", _("已关闭")

    class Priority(models.IntegerChoices):
        NORMAL = 0, _("一般")
        VULNERABLE = 1, _("困难群体优先")
        URGENT = 2, _("紧急")

    # Statuses in which the wish takes new claims: shown on the wall.
    OPEN = (Status.PUBLISHED, Status.PARTLY_CLAIMED)
    # Published and still in progress: offered as "similar" to new submitters.
    IN_PROGRESS = (Status.PUBLISHED, Status.PARTLY_CLAIMED, Status.CLAIMED)
    # Visible to the public (the wall and the wish page).
    PUBLIC = (
        Status.PUBLISHED,
        Status.PARTLY_CLAIMED,
        Status.CLAIMED,
        Status.FULFILLED,
        Status.CONFIRMED,
        Status.CLOSED,
    )
    MAX_SLOTS = 20

    code = models.CharField(_("查询码"), max_length=16, unique=True, editable=False)
    grid = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="wishes",
        verbose_name=_("社区或网格"),
    )
    community = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("社区"),
        editable=False,
        help_text=_("由社区或网格自动得出，供心愿墙筛选。"),
    )
    name = models.CharField(_("姓名"), max_length=20)
    phone = PhoneField(_("手机号"), max_length=11, validators=[validate_mobile])
    address = models.CharField(
        _("住址"), max_length=40, blank=True, help_text=_("楼栋-单元-房号，只供工作人员核对。")
    )
    contact_consent = models.BooleanField(
        _("同意认领人直接联系"),
        default=False,
        db_default=False,
        help_text=_("居民在表单上勾选后，认领人可以查看其手机号（每次查看都有记录）。"),
    )
    category = models.CharField(_("类别"), max_length=10, choices=Category.choices)
    text = models.TextField(_("心愿内容"), max_length=500)
    public_text = models.TextField(
        _("公开内容"), max_length=500, blank=True, help_text=_("心愿墙上显示的内容，已去掉个人信息。")
    )
    wanted_by = models.DateField(_("希望完成日期"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    slots = models.PositiveSmallIntegerField(
        _("认领名额"), default=1, help_text=_("1 为一对一；大于 1 为多对一，最多这么多个认领方。")
    )
    claimed_count = models.PositiveSmallIntegerField(_("已认领"), default=0, editable=False)
    priority = models.PositiveSmallIntegerField(
        _("优先级"), choices=Priority.choices, default=Priority.NORMAL
    )
    is_shared = models.BooleanField(
        _("共性需求"),
        default=False,
        db_default=False,
        help_text=_("多户共同的需求（如楼道照明）：同一网格的居民提交相似心愿时，可以选择关注它。"),
    )
    household = models.ForeignKey(
        "grids.Household",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="wishes",
        verbose_name=_("匹配的住户"),
    )
    household_category = models.CharField(_("住户彩虹分类"), max_length=12, blank=True)
    reject_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("代为提交"),
    )
    submitted_at = models.DateTimeField(_("提交时间"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    fulfilled_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    overdue_at = models.DateTimeField(
        _("逾期标记时间"), null=True, blank=True, help_text=_("过了希望完成日期仍无人认领。")
    )
    issue_reported_at = models.DateTimeField(
        _("居民反馈时间"), null=True, blank=True, help_text=_("居民反馈还没实现或有问题，社区跟进后清除。")
    )
    issue_note = models.CharField(_("居民反馈"), max_length=200, blank=True, default="", db_default="")

    scope_field = "grid"
    PERSONAL_FIELDS = ("phone",)

    class Meta:
        verbose_name = _("微心愿")
        verbose_name_plural = _("微心愿")
        ordering = ["-submitted_at", "-pk"]
        permissions = [("review_wish", _("可审核微心愿"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(slots__gte=1) & Q(slots__lte=20), name="wish_slots_between_1_and_20"
            ),
            models.CheckConstraint(
                condition=Q(claimed_count__lte=models.F("slots")), name="wish_claimed_within_slots"
            ),
        ]
        indexes = [
            # The wall: open wishes, vulnerable first, then nearest wanted-by.
            models.Index(
                fields=["-priority", "wanted_by", "id"],
                name="wish_wall_idx",
                condition=Q(status__in=["published", "partly_claimed"]),
            ),
            models.Index(
                fields=["community", "-priority", "wanted_by", "id"],
                name="wish_wall_community_idx",
                condition=Q(status__in=["published", "partly_claimed"]),
            ),
            models.Index(
                fields=["category", "-priority", "wanted_by", "id"],
                name="wish_wall_category_idx",
                condition=Q(status__in=["published", "partly_claimed"]),
            ),
            # The review queue and the staff counts.
            models.Index(fields=["status", "grid", "submitted_at"], name="wish_status_grid_idx"),
            # Shared needs offered on the public form: open ones of a grid.
            models.Index(fields=["grid", "status"], name="wish_shared_idx", condition=Q(is_shared=True)),
            # The admin list, newest first.
            models.Index(fields=["-submitted_at", "-id"], include=["grid"], name="wish_recent_idx"),
            # Saved wishes per phone number (the public form's limit) and same-phone lookups.
            models.Index(fields=["phone", "submitted_at"], name="wish_phone_idx"),
            # Wishes the resident sent back to the community.
            models.Index(
                fields=["grid", "issue_reported_at"],
                name="wish_issue_idx",
                condition=Q(issue_reported_at__isnull=False),
            ),
        ]

    def __str__(self):
        return _("心愿 %(code)s") % {"code": self.code}

    @property
    def place(self):
        """The community and grid, naming the community once (兰苑社区第1网格)."""
        return place_name(self.community.name, self.grid.name if self.grid.kind == "grid" else None)

    @property
    def is_open(self):
        return self.status in self.OPEN

    @property
    def shown_text(self):
        return self.public_text or self.text

    @property
    def mode_label(self):
        return _("一对一") if self.slots == 1 else _("多对一（%(n)s个名额）") % {"n": self.slots}


class Claim(models.Model):
    """One claimant's claim on a wish, holding one slot until withdrawn.

    The claimant is exactly one of a volunteer, a volunteer team or a member
    unit (three foreign keys and a check constraint: the database keeps each
    kind's integrity, and the ledger needs the real object to credit).
    """

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("已认领")
        FULFILLED = "fulfilled", _("已完成，待确认")
        CONFIRMED = "confirmed", _("居民已确认")
        CLOSED = "closed", _("已关闭（未确认）")
        WITHDRAWN = "withdrawn", _("已撤回")

    # Claims that hold a slot. Only withdrawing gives a slot back.
    LIVE = (Status.CLAIMED, Status.FULFILLED, Status.CONFIRMED, Status.CLOSED)

    wish = models.ForeignKey(Wish, on_delete=models.PROTECT, related_name="claims", verbose_name=_("心愿"))
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wish_claims",
        verbose_name=_("志愿者"),
    )
    team = models.ForeignKey(
        "volunteers.VolunteerTeam",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wish_claims",
        verbose_name=_("志愿服务队"),
    )
    unit = models.ForeignKey(
        "alliances.MemberUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wish_claims",
        verbose_name=_("驻区单位"),
    )
    slot_no = models.PositiveSmallIntegerField(_("名额序号"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.CLAIMED)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="wish_claims",
        verbose_name=_("认领人账号"),
    )
    claimed_at = models.DateTimeField(_("认领时间"))
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    fulfilment_note = models.TextField(_("完成情况"), max_length=1000, blank=True)
    photo = models.ImageField(
        _("完成照片"), upload_to="wishes/%Y/%m/", storage=_private_storage, blank=True, max_length=200
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    comment = models.CharField(_("居民评价"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    returned_at = models.DateTimeField(
        _("居民反馈未实现时间"), null=True, blank=True, help_text=_("居民说还没实现，认领回到待完成。")
    )
    return_reason = models.CharField(_("居民反馈"), max_length=200, blank=True, default="", db_default="")

    scope_field = "wish__grid"

    class Meta:
        verbose_name = _("认领")
        verbose_name_plural = _("认领")
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(volunteer__isnull=False, team__isnull=True, unit__isnull=True)
                    | Q(volunteer__isnull=True, team__isnull=False, unit__isnull=True)
                    | Q(volunteer__isnull=True, team__isnull=True, unit__isnull=False)
                ),
                name="claim_exactly_one_claimant",
            ),
            models.CheckConstraint(
                condition=Q(slot_no__gte=1) & Q(slot_no__lte=20), name="claim_slot_no_in_range"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="claim_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(rating__isnull=False),
                name="claim_confirmed_has_rating",
            ),
            # Backstops behind the wish row lock: a slot number is held by one
            # live claim at a time, and a claimant holds one live claim per wish.
            models.UniqueConstraint(
                fields=["wish", "slot_no"],
                condition=~Q(status="withdrawn"),
                name="claim_one_live_claim_per_slot",
            ),
            models.UniqueConstraint(
                fields=["wish", "volunteer"],
                condition=~Q(status="withdrawn") & Q(volunteer__isnull=False),
                name="claim_one_live_claim_per_volunteer",
            ),
            models.UniqueConstraint(
                fields=["wish", "team"],
                condition=~Q(status="withdrawn") & Q(team__isnull=False),
                name="claim_one_live_claim_per_team",
            ),
            models.UniqueConstraint(
                fields=["wish", "unit"],
                condition=~Q(status="withdrawn") & Q(unit__isnull=False),
                name="claim_one_live_claim_per_unit",
            ),
        ]
        indexes = [
            models.Index(fields=["volunteer", "status"], name="claim_volunteer_idx"),
            models.Index(fields=["team", "status"], name="claim_team_idx"),
            models.Index(fields=["unit", "status"], name="claim_unit_idx"),
            models.Index(fields=["status", "fulfilled_at"], name="claim_status_fulfilled_idx"),
            models.Index(fields=["-claimed_at", "-id"], name="claim_recent_idx"),
        ]

    def __str__(self):
        return _("%(claimant)s 认领 %(wish)s") % {"claimant": self.claimant, "wish": self.wish_id}

    @property
    def claimant(self):
        return self.volunteer or self.team or self.unit


class WishEvent(models.Model):
    """One entry of a wish's history; the tracking page's timeline reads these."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("已提交")
        PUBLISHED = "published", _("已发布到心愿墙")
        REJECTED = "rejected", _("未通过审核")
        CLAIMED = "claimed", _("已被认领")
        WITHDRAWN = "withdrawn", _("认领已撤回")
        FULFILLED = "fulfilled", _("已完成，请您确认")
        CONFIRMED = "confirmed", _("您已确认")
        CLOSED = "closed", _("已关闭")
        OVERDUE = "overdue", _("已过希望完成日期，仍无人认领")
        FOLLOWED = "followed", _("又有居民提出了同样的心愿")
        NOT_DONE = "not_done", _("居民反馈：还没实现")
        SETTLED = "settled", _("社区已跟进居民反馈")

    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="events", verbose_name=_("心愿"))
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="events", verbose_name=_("认领")
    )
    kind = models.CharField(_("事件"), max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"))

    scope_field = "wish__grid"

    class Meta:
        verbose_name = _("心愿记录")
        verbose_name_plural = _("心愿记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["wish", "at"], name="wish_event_wish_time_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"


class WishFollower(models.Model):
    """A resident who had the same wish and chose to follow an open one instead of filing twice."""

    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="followers", verbose_name=_("心愿"))
    code = models.CharField(_("查询码"), max_length=16, unique=True, editable=False)
    name = models.CharField(_("姓名"), max_length=20)
    phone = PhoneField(_("手机号"), max_length=11, validators=[validate_mobile])
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    scope_field = "wish__grid"
    PERSONAL_FIELDS = ("phone",)

    class Meta:
        verbose_name = _("同愿居民")
        verbose_name_plural = _("同愿居民")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["wish", "phone"], name="follower_once_per_wish"),
        ]

    def __str__(self):
        return self.name


class TrackingRecovery(models.Model):
    """A one-time SMS code sent to find the tracking codes of a phone number again.

    Only a hash of the code is stored. Rows exist for numbers that never
    filed a wish too (no SMS goes out for those), so the answer never tells
    whether a number is known.
    """

    phone = models.CharField(_("手机号"), max_length=11, validators=[validate_mobile])
    code_hash = models.CharField(_("验证码摘要"), max_length=128)
    created_at = models.DateTimeField(_("时间"))
    expires_at = models.DateTimeField(_("过期时间"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    PERSONAL_FIELDS = ("phone",)

    class Meta:
        verbose_name = _("找回查询码")
        verbose_name_plural = _("找回查询码")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["phone", "created_at"], name="recovery_phone_idx")]

    def __str__(self):
        return f"{self.phone[:3]}****{self.phone[-4:]} {self.created_at:%Y-%m-%d %H:%M}"
