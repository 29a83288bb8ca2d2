"""The case itself, and its photos."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models.catalogue import Level
from portal.fields import PhoneField
from portal.text import place_name
from portal.validators import validate_mobile
from wishes.models import PrivateStorage


class CaseState(models.TextChoices):
    REPORTED = "reported", _("待受理")
    HANDLING = "handling", _("办理中")
    DISPATCHED = "dispatched", _("已派遣")
    DONE = "done", _("待核实")
    VERIFIED = "verified", _("待评价")
    CLOSED = "closed", _("已办结")
    DECLINED = "declined", _("不予受理")
    MERGED = "merged", _("已合并")
    TO_WISH = "to_wish", _("已转为微心愿")


class Source(models.TextChoices):
    RESIDENT = "resident", _("居民随手拍")
    GRID_WORKER = "grid_worker", _("网格员上报")
    VISIT = "visit", _("走访发现")
    WISH = "wish", _("微心愿转入")
    STAFF = "staff", _("工作人员登记")


def _private_storage():
    return PrivateStorage()


class Case(models.Model):
    # Open: somebody still owes the case something before it is verified.
    OPEN = (CaseState.REPORTED, CaseState.HANDLING, CaseState.DISPATCHED, CaseState.DONE)
    # Finished: counted as closed (办结) by the numbers.
    FINISHED = (CaseState.VERIFIED, CaseState.CLOSED)
    MAX_PHOTOS = 3

    code = models.CharField(_("查询码"), max_length=16, unique=True, editable=False)
    # No plain index on the three nodes: the composite indexes below start with them, and
    # PostgreSQL would otherwise read a whole street through the plain one (docs/cases.md#speed).
    grid = models.ForeignKey(
        "grids.Grid", on_delete=models.PROTECT, related_name="cases", verbose_name=_("网格"), db_index=False
    )
    community = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("社区"),
        editable=False,
        db_index=False,
    )
    street = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("街道"),
        editable=False,
        db_index=False,
    )
    category = models.ForeignKey(
        "cases.Category", on_delete=models.PROTECT, related_name="cases", verbose_name=_("类别")
    )
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    description = models.TextField(_("问题描述"), max_length=500)
    address = models.CharField(_("位置"), max_length=100, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    reporter_name = models.CharField(_("反映人"), max_length=20, blank=True)
    reporter_phone = PhoneField(_("反映人手机号"), max_length=11, blank=True, validators=[validate_mobile])
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上报人账号"),
    )
    reported_at = models.DateTimeField(_("上报时间"))

    state = models.CharField(_("状态"), max_length=12, choices=CaseState.choices, default=CaseState.REPORTED)
    level = models.CharField(_("当前层级"), max_length=10, choices=Level.choices, default=Level.GRID)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("当前经办人"),
    )
    sign_due_at = models.DateTimeField(_("受理期限"), null=True, blank=True)
    finish_due_at = models.DateTimeField(_("办结期限"), null=True, blank=True)
    sign_overdue_at = models.DateTimeField(_("超时未受理"), null=True, blank=True)
    finish_overdue_at = models.DateTimeField(_("超时未办结"), null=True, blank=True)
    near_reminded_at = models.DateTimeField(_("临期提醒时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("办理完成时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    result = models.TextField(_("办理结果"), max_length=1000, blank=True)
    decline_reason = models.CharField(_("不予受理原因"), max_length=200, blank=True)
    supervised_count = models.PositiveSmallIntegerField(_("督办次数"), default=0)
    reopened_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    rating_comment = models.CharField(_("居民评价"), max_length=200, blank=True)

    visit = models.ForeignKey(
        "grids.Visit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("走访"),
    )
    household = models.ForeignKey(
        "grids.Household",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("住户"),
    )
    wish = models.ForeignKey(
        "wishes.Wish",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("微心愿"),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("合并到"),
    )

    scope_field = "grid"
    PERSONAL_FIELDS = ("reporter_phone",)

    class Meta:
        verbose_name = _("网格事件")
        verbose_name_plural = _("网格事件")
        ordering = ["-reported_at", "-pk"]
        permissions = [
            ("handle_case", _("可受理和办理网格事件")),
            ("dispatch_case", _("可派遣、督办网格事件（吹哨）")),
            ("verify_case", _("可核实网格事件的办理结果")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="case_rating_1_to_5",
            ),
        ]
        indexes = [
            # The queues: by state and level inside a subtree, newest first.
            models.Index(fields=["grid", "state", "-reported_at"], name="case_grid_state_idx"),
            models.Index(fields=["street", "state", "-reported_at"], name="case_street_state_idx"),
            # The overdue job: only rows whose clock is still running.
            models.Index(
                fields=["sign_due_at"],
                name="case_sign_due_idx",
                condition=Q(state="reported", sign_overdue_at__isnull=True),
            ),
            models.Index(
                fields=["finish_due_at"],
                name="case_finish_due_idx",
                condition=Q(state__in=["handling", "dispatched"], finish_overdue_at__isnull=True),
            ),
            models.Index(fields=["reporter_phone", "reported_at"], name="case_phone_idx"),
            # The numbers: a scope's cases of one month (its grids, a range of report times).
            models.Index(fields=["grid", "reported_at"], name="case_grid_reported_idx"),
            # Everything, newest first (a superuser's queue): read in this order until a page is full.
            models.Index(fields=["-reported_at", "-id"], name="case_reported_idx"),
            # A street's or a community's queue, newest first, and its numbers of a month (a range
            # of report times): the scope is `street = S` or `community = C` (cases.selectors).
            models.Index(fields=["street", "-reported_at", "-id"], name="case_street_reported_idx"),
            models.Index(fields=["community", "-reported_at", "-id"], name="case_community_reported_idx"),
        ]

    def __str__(self):
        return _("事件 %(code)s") % {"code": self.code}

    @property
    def place(self):
        """The community and grid, naming the community once (兰苑社区第1网格)."""
        return place_name(self.community.name, self.grid.name if self.grid_id != self.community_id else None)

    @property
    def is_open(self):
        return self.state in self.OPEN

    @property
    def overdue(self):
        return bool(self.sign_overdue_at or self.finish_overdue_at) and self.is_open

    def level_node(self):
        """The grid node the case is held at: its grid, community or street."""
        if self.level == Level.STREET:
            return self.street
        if self.level == Level.COMMUNITY:
            return self.community
        return self.grid


class CasePhoto(models.Model):
    """A photo of the problem (when reported) or of the result, checked and re-encoded (portal.photos)."""

    class Stage(models.TextChoices):
        REPORT = "report", _("问题照片")
        RESULT = "result", _("结果照片")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos", verbose_name=_("事件"))
    dispatch = models.ForeignKey(
        "cases.Dispatch",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("派遣"),
    )
    stage = models.CharField(_("类型"), max_length=8, choices=Stage.choices)
    image = models.ImageField(_("照片"), upload_to="cases/%Y/%m/", storage=_private_storage, max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    scope_field = "case__grid"

    class Meta:
        verbose_name = _("事件照片")
        verbose_name_plural = _("事件照片")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return f"{self.get_stage_display()} · {self.case_id}"
