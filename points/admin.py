import datetime

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from points import services
from points.models import PeriodKind, PointsEntry, PointsPeriod, PointsTotal
from points.selectors import board_month
from points.subjects import earning_models
from portal.admin import DateRangeFilter, DistrictListMixin, ReadOnlyAdminMixin, ScopedAdminMixin
from portal.scoping import grid_model, scope_node


@admin.action(description=_("冲销所选记录"), permissions=["reverse"])
def reverse_entries(modeladmin, request, queryset):
    """Ask for a reason on an intermediate page, then add a reversing entry for each."""
    note = (request.POST.get("note") or "").strip()
    if request.POST.get("confirm") and len(note) >= 2:
        done, refused = 0, 0
        for entry in queryset:
            try:
                services.points_entry_correct(entry=entry, user=request.user, note=note)
            except ValidationError:
                refused += 1
            else:
                done += 1
        modeladmin.message_user(request, _("已冲销 %(n)s 条记录。") % {"n": done}, messages.SUCCESS)
        if refused:
            modeladmin.message_user(
                request, _("%(n)s 条是冲销记录或已冲销，未处理。") % {"n": refused}, messages.WARNING
            )
        return None
    return TemplateResponse(
        request,
        "admin/points/reverse_entries.html",
        {
            **modeladmin.admin_site.each_context(request),
            "entries": queryset.select_related("rule")[:50],
            "pks": list(queryset.values_list("pk", flat=True)),
            "count": queryset.count(),
            "note_missing": bool(request.POST.get("confirm")),
            "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "title": _("冲销积分记录"),
        },
    )


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyAdminMixin, DistrictListMixin, ScopedAdminMixin, admin.ModelAdmin):
    """The ledger: nobody adds, changes or deletes an entry here; corrections are reversing entries."""

    list_display = (
        "occurred_at",
        "subject_label",
        "subject_kind",
        "rule",
        "points",
        "grid",
        "reversal_state",
        "note",
    )
    list_filter = ("subject_kind", "rule", ("occurred_at", DateRangeFilter))
    search_fields = ("subject_label",)
    list_select_related = ("rule", "grid")
    actions = [reverse_entries]

    def has_reverse_permission(self, request):
        return request.user.has_perm("points.reverse_pointsentry")

    @admin.display(description=_("冲销"))
    def reversal_state(self, obj):
        if obj.reverses_id:
            return _("冲销 #%(pk)s") % {"pk": obj.reverses_id}
        return "—"


def _period_label(kind, start):
    if kind == PeriodKind.MONTH:
        return _("%(year)s年%(month)s月") % {"year": start.year, "month": start.month}
    if kind == PeriodKind.QUARTER:
        return _("%(year)s年第%(quarter)s季度") % {"year": start.year, "quarter": (start.month - 1) // 3 + 1}
    return _("%(year)s年") % {"year": start.year}


class PeriodFilter(admin.SimpleListFilter):
    """One month, quarter or year at a time, the latest month by default.

    Totals only mean something within one period (ranks restart every
    period), and one period is one range of the leaderboard index, read in
    rank order without a sort. A month not closed yet says so.
    """

    title = _("周期")
    parameter_name = "period"
    MONTHS, QUARTERS, YEARS = 24, 8, 5

    def lookups(self, request, model_admin):
        found = []
        for kind, limit in (
            (PeriodKind.MONTH, self.MONTHS),
            (PeriodKind.QUARTER, self.QUARTERS),
            (PeriodKind.YEAR, self.YEARS),
        ):
            periods = PointsPeriod.objects.filter(kind=kind).order_by("-start")[:limit]
            for period in periods:
                label = _period_label(kind, period.start)
                if kind == PeriodKind.MONTH and period.closed_at is None:
                    label = _("%(period)s（进行中）") % {"period": label}
                found.append((f"{kind}:{period.start.isoformat()}", label))
        return found

    def _default(self):
        month = board_month()
        return f"{PeriodKind.MONTH}:{month.isoformat()}" if month else None

    def value(self):
        return super().value() or self._default()

    @staticmethod
    def _parse(value):
        """(kind, start) named by a value such as "month:2026-11-01", or None."""
        kind, _sep, start = (value or "").partition(":")
        try:
            return PeriodKind(kind), datetime.date.fromisoformat(start)
        except ValueError:
            return None

    def choices(self, changelist):
        current = self.value()
        for lookup, title in self.lookup_choices:
            yield {
                "selected": lookup == current,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        chosen = self._parse(self.value())
        if chosen is None and super().value():
            messages.error(request, _("无法识别所选的周期，已显示最近一个月。"))
            chosen = self._parse(self._default())
        if chosen is None:
            return queryset  # nothing rolled up yet
        kind, start = chosen
        return queryset.filter(period_kind=kind, period_start=start)


class StreetFilter(admin.SimpleListFilter):
    """The streets in the user's scope (the totals' ranks are per street)."""

    title = _("街道")
    parameter_name = "street"

    def lookups(self, request, model_admin):
        Grid = grid_model()
        streets = Grid.objects.filter(kind=Grid.Kind.STREET)
        node = scope_node(request.user)
        if node is not None:
            streets = streets.filter(tree_id=node.tree_id)
        elif not request.user.is_superuser:
            return []
        return [(str(street.pk), street.name) for street in streets.order_by("code")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if not self.value().isdigit():
            return queryset.none()
        return queryset.filter(street_id=self.value())


@admin.register(PointsTotal)
class PointsTotalAdmin(ReadOnlyAdminMixin, DistrictListMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "rank",
        "subject_name",
        "subject_kind",
        "points",
        "entries",
        "street",
        "period_label",
    )
    list_display_links = None
    list_filter = (PeriodFilter, StreetFilter, "subject_kind")
    list_select_related = ("street",)
    search_help_text = _("按志愿者、服务队或单位名称搜索。")
    # Rank order inside one period: the leaderboard index, no sort. The period
    # and the subject make each row unique, so no other column is added.
    ordering = (
        "period_kind",
        "period_start",
        "street_id",
        "subject_kind",
        "-points",
        "last_at",
        "subject_type_id",
        "subject_id",
    )
    search_fields = ("subject_id",)  # shows the search box; the search itself is by name, below
    SEARCH_LIMIT = 1000

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("subject")

    def get_changelist_instance(self, request):
        # Ranks for the page's rows only: the list's capped count never computes one.
        changelist = super().get_changelist_instance(request)
        changelist.result_list = PointsTotal.objects.set_ranks(changelist.result_list)
        return changelist

    @admin.display(description=_("街道排名"))
    def rank(self, obj):
        return obj.rank

    def get_search_results(self, request, queryset, search_term):
        term = (search_term or "").strip()
        if not term:
            return queryset, False
        found = Q(pk__in=[])
        types = ContentType.objects.get_for_models(*earning_models(), for_concrete_models=False)
        for model, content_type in types.items():
            ids = list(
                model._default_manager.filter(name__icontains=term).values_list("pk", flat=True)[
                    : self.SEARCH_LIMIT
                ]
            )
            if ids:
                found |= Q(subject_type=content_type, subject_id__in=ids)
        return queryset.filter(found), False

    @admin.display(description=_("名称"))
    def subject_name(self, obj):
        return str(obj.subject) if obj.subject is not None else _("（已删除）")

    @admin.display(description=_("周期"))
    def period_label(self, obj):
        return _period_label(obj.period_kind, obj.period_start)
