from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.admin import ReadOnlyAdminMixin, ScopedAdminMixin, page_link
from reports.models import MonthlyReport


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Who built which month's report and when; the report itself is read on its page."""

    list_display = ("alliance", "month_label", "built_at", "built_via", "built_by", "revision", "page")
    list_filter = ("built_via", "month")
    list_select_related = ("alliance", "built_by")
    fields = ("alliance", "month", "built_at", "built_via", "built_by", "revision", "schema_version", "page")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")

    @admin.display(description=_("月份"), ordering="month")
    def month_label(self, obj):
        return f"{obj.month:%Y-%m}"

    @admin.display(description=_("报告页面"))
    def page(self, obj):
        return page_link(reverse("reports:detail", args=[obj.alliance_id, f"{obj.month:%Y-%m}"]))
