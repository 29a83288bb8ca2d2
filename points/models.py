"""The points ledger: rules, append-only entries, and the rollup's periods and totals.

Every app that rewards something (a logged visit, verified service hours, a
confirmed wish, a meeting attended, a project completed) writes here through
`points.services.points_award`; nothing else writes entries. A model that earns
points names its kind in `points_subject_kind` and its grid node in
`scope_field`.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    """Who can earn points. A model that earns them sets `points_subject_kind`."""

    PERSON = "person", _("个人")
    TEAM = "team", _("志愿服务队")
    UNIT = "unit", _("驻区单位")


class PointsRule(models.Model):
    """How many points an event earns.

    A rule without a street is the district's default, which only superusers
    change; a street's staff change a rule for their own street, which then
    holds a rule of its own under the same code and takes precedence there.
    """

    class Basis(models.TextChoices):
        EVENT = "event", _("按次")
        HOUR = "hour", _("按小时")

    code = models.SlugField(_("规则代码"), max_length=40)
    street = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("适用街道"),
        help_text=_("空表示全区默认规则。"),
    )
    name = models.CharField(_("名称"), max_length=60)
    subject_kind = models.CharField(_("积分对象"), max_length=10, choices=SubjectKind.choices)
    basis = models.CharField(_("计分方式"), max_length=10, choices=Basis.choices, default=Basis.EVENT)
    points = models.DecimalField(_("分值"), max_digits=7, decimal_places=2)
    active_from = models.DateField(_("生效日期"), null=True, blank=True)
    active_until = models.DateField(_("失效日期"), null=True, blank=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)

    scope_field = "street"

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["subject_kind", "code", F("street").asc(nulls_first=True)]
        constraints = [
            models.UniqueConstraint(fields=["code", "street"], name="points_rule_once_per_street"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(street__isnull=True), name="points_rule_once_in_district"
            ),
            models.CheckConstraint(
                condition=Q(active_until__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_until__gte=models.F("active_from")),
                name="points_rule_dates_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.points}）"

    @property
    def is_default(self):
        return self.street_id is None

    def is_active_on(self, day):
        return (self.active_from is None or self.active_from <= day) and (
            self.active_until is None or day <= self.active_until
        )


class PointsEntry(models.Model):
    """One line of the append-only points ledger.

    It names its rule, its subject (a person, team or unit) and its source
    (what earned it). The same source earns a subject points under a rule at
    most once: a unique constraint, not a convention. Corrections are new
    reversing entries; an entry is never edited or deleted.
    """

    rule = models.ForeignKey(
        PointsRule, on_delete=models.PROTECT, related_name="entries", verbose_name=_("规则")
    )
    subject_kind = models.CharField(_("积分对象"), max_length=10, choices=SubjectKind.choices)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("对象类型")
    )
    subject_id = models.PositiveBigIntegerField(_("对象编号"))
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_label = models.CharField(_("对象"), max_length=100)
    street = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属街道"),
        help_text=_("排名在街道内进行。"),
    )
    grid = models.ForeignKey(
        "grids.Grid", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属网格节点")
    )
    source_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("来源类型")
    )
    source_id = models.PositiveBigIntegerField(_("来源编号"))
    source = GenericForeignKey("source_type", "source_id")
    quantity = models.DecimalField(_("数量"), max_digits=9, decimal_places=2, default=1)
    points = models.DecimalField(_("积分"), max_digits=9, decimal_places=2)
    occurred_at = models.DateTimeField(_("发生时间"))
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("冲销的记录"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    scope_field = "grid"

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分台账")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_type", "subject_id", "source_type", "source_id"],
                condition=Q(reverses__isnull=True),
                name="points_once_per_source",
            ),
        ]
        indexes = [
            models.Index(fields=["street", "occurred_at"], name="points_street_time_idx"),
            models.Index(
                fields=["subject_type", "subject_id", "occurred_at"], name="points_subject_time_idx"
            ),
            # The rollup reads one month at a time: on PostgreSQL this index
            # holds every column it needs (the id too, for the change check),
            # so a month is an index-only range scan instead of a pass over
            # the whole, wide table.
            models.Index(
                fields=["occurred_at"],
                include=["street", "subject_kind", "subject_type", "subject_id", "grid", "points", "id"],
                name="points_rollup_idx",
            ),
        ]
        permissions = [("reverse_pointsentry", _("可冲销积分记录"))]

    def __str__(self):
        return f"{self.subject_label} {self.points:+} · {self.rule.name}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("points ledger entries are never changed; add a reversing entry")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("points ledger entries are never deleted; add a reversing entry")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class PointsPeriod(models.Model):
    """When a period was last rolled up, and the ledger as it was then (the watermark)."""

    kind = models.CharField(_("周期"), max_length=8, choices=PeriodKind.choices)
    start = models.DateField(_("开始日期"))
    computed_at = models.DateTimeField(_("汇总时间"))
    watermark = models.BigIntegerField(_("已汇总的最大记录号"), default=0)
    entries = models.PositiveIntegerField(_("记录数"), default=0)
    closed_at = models.DateTimeField(_("结账时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("积分汇总周期")
        verbose_name_plural = _("积分汇总周期")
        ordering = ["kind", "start"]
        constraints = [models.UniqueConstraint(fields=["kind", "start"], name="points_period_once")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start:%Y-%m}"


class PointsTotalQuerySet(models.QuerySet):
    FEW = 10  # rows of one street that set_ranks counts one by one

    def with_rank(self):
        """Annotate each total with `rank`: its place in its street among its kind, for its period.

        Ranks are read, not stored: one more than the number of totals of the
        same period, street and kind that come before it in `RANK_ORDER`,
        counted on the leaderboard index. The count only walks the rows ahead,
        so the top of a board costs next to nothing and the last of a
        10,000-subject street a few milliseconds, and no rollup ever rewrites a
        row because someone else's points moved.
        """
        ahead = (
            PointsTotal.objects.filter(
                period_kind=OuterRef("period_kind"),
                period_start=OuterRef("period_start"),
                street=OuterRef("street"),
                subject_kind=OuterRef("subject_kind"),
                # Redundant with the condition below, but a range the index can start from.
                points__gte=OuterRef("points"),
            )
            .filter(
                Q(points__gt=OuterRef("points"))
                | Q(points=OuterRef("points"), last_at__lt=OuterRef("last_at"))
                | Q(
                    points=OuterRef("points"),
                    last_at=OuterRef("last_at"),
                    subject_type__lt=OuterRef("subject_type"),
                )
                | Q(
                    points=OuterRef("points"),
                    last_at=OuterRef("last_at"),
                    subject_type=OuterRef("subject_type"),
                    subject_id__lt=OuterRef("subject_id"),
                )
            )
            .order_by()
            .values("period_kind")
            .annotate(n=Count("*"))
            .values("n")
        )
        return self.annotate(rank=Coalesce(Subquery(ahead, output_field=models.IntegerField()), 0) + 1)

    def set_ranks(self, totals):
        """Set `rank` on each of `totals` (a page, a board), two queries per street and period.

        Per street, period and kind: the rows ahead of the best of `totals` are
        counted once, and the rows from the best to the worst are numbered in
        order. A page of the admin list (consecutive rows) thus costs one count
        up to its first row plus the page itself, not a count per row. Use this,
        not `with_rank()`, on a list that is sliced, counted or filtered by a
        window: the database may compute an annotation for every row it
        considers, not only for the rows it returns.
        """
        totals = list(totals)
        parts = {}
        for total in totals:
            key = (total.period_kind, total.period_start, total.street_id, total.subject_kind)
            parts.setdefault(key, []).append(total)
        for (kind, start, street_id, subject_kind), members in parts.items():
            if len(members) <= self.FEW:
                # A few rows (a report's units, a community's board) may lie far apart in a
                # street: a count for each costs less than numbering everything between them.
                ranks = dict(
                    PointsTotal._default_manager.filter(pk__in=[t.pk for t in members])
                    .with_rank()
                    .values_list("pk", "rank")
                )
                for total in members:
                    total.rank = ranks.get(total.pk)
                continue
            members.sort(key=rank_key)
            best, worst = members[0], members[-1]
            part = PointsTotal._default_manager.filter(
                period_kind=kind, period_start=start, street_id=street_id, subject_kind=subject_kind
            )
            ahead = part.filter(points__gte=best.points).filter(_before(best)).count()
            span = (
                part.filter(points__lte=best.points, points__gte=worst.points)
                .exclude(_before(best))
                .exclude(_after(worst))
                .order_by(*PointsTotal.RANK_ORDER)
                .values_list("pk", flat=True)
            )
            places = {pk: ahead + place for place, pk in enumerate(span, start=1)}
            for total in members:
                total.rank = places.get(total.pk)
        return totals


def rank_key(total):
    """PointsTotal.RANK_ORDER as a Python sort key."""
    return (-total.points, total.last_at, total.subject_type_id, total.subject_id)


def _before(total):
    """The totals of the same street and period that rank before `total` (RANK_ORDER)."""
    p, at, kind, pk = total.points, total.last_at, total.subject_type_id, total.subject_id
    return (
        Q(points__gt=p)
        | Q(points=p, last_at__lt=at)
        | Q(points=p, last_at=at, subject_type_id__lt=kind)
        | Q(points=p, last_at=at, subject_type_id=kind, subject_id__lt=pk)
    )


def _after(total):
    """The totals of the same street and period that rank after `total`."""
    p, at, kind, pk = total.points, total.last_at, total.subject_type_id, total.subject_id
    return (
        Q(points__lt=p)
        | Q(points=p, last_at__gt=at)
        | Q(points=p, last_at=at, subject_type_id__gt=kind)
        | Q(points=p, last_at=at, subject_type_id=kind, subject_id__gt=pk)
    )


class PointsTotal(models.Model):
    """A subject's points in one month, quarter or year.

    Written only by the rollup. The rank in the street is read with
    `PointsTotal.objects.with_rank()`: points high to low; equal points go to
    whoever reached the total first (earlier last entry), then to the lower
    subject id (`RANK_ORDER`).
    """

    period_kind = models.CharField(_("周期"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("周期开始"))
    # No index of their own on these keys: a rollup writes many rows, and
    # the two indexes below serve every read.
    street = models.ForeignKey(
        "grids.Grid", on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"), db_index=False
    )
    grid = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属网格节点"),
        db_index=False,
    )
    subject_kind = models.CharField(_("积分对象"), max_length=10, choices=SubjectKind.choices)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("对象类型"), db_index=False
    )
    subject_id = models.PositiveBigIntegerField(_("对象编号"))
    points = models.DecimalField(_("积分"), max_digits=12, decimal_places=2)
    entries = models.PositiveIntegerField(_("记录数"))
    last_at = models.DateTimeField(_("最后一笔时间"))
    subject = GenericForeignKey("subject_type", "subject_id")

    scope_field = "grid"
    RANK_ORDER = ("-points", "last_at", "subject_type_id", "subject_id")

    objects = PointsTotalQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分汇总")
        verbose_name_plural = _("积分汇总与排名")
        ordering = [
            "period_kind",
            "-period_start",
            "street",
            "subject_kind",
            "-points",
            "last_at",
            "subject_type",
            "subject_id",
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "period_kind", "period_start", "street"],
                name="points_total_once_per_period",
            ),
        ]
        indexes = [
            # The leaderboard reads the top of a street in rank order, which is
            # this order, and a rank is a count of the rows ahead in it.
            models.Index(
                fields=[
                    "period_kind",
                    "period_start",
                    "street",
                    "subject_kind",
                    "-points",
                    "last_at",
                    "subject_type",
                    "subject_id",
                ],
                name="points_total_board_idx",
            ),
        ]

    def __str__(self):
        return f"{self.period_start:%Y-%m} {self.points}"
