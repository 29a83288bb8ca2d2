from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from points import services
from points.models import PointsEntry, PointsTotal
from portal.admin import DateRangeFilter, DistrictListMixin, ReadOnlyAdminMixin, ScopedAdminMixin


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


@admin.register(PointsTotal)
class PointsTotalAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "period_kind",
        "period_start",
        "street",
        "subject_kind",
        "subject_id",
        "points",
        "entries",
        "rank",
    )
    list_filter = ("period_kind", "subject_kind", "period_start")
    list_select_related = ("street",)
    show_full_result_count = False
