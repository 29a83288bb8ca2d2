from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportExportModelAdmin
from mptt.admin import MPTTModelAdmin

from grids import services
from grids.models import Building, Grid, GridAssignment, Household, Resident, Visit
from grids.resources import BuildingResource, GridWorkerResource, HouseholdResource, VisitResource
from portal.admin import (
    CommunityListFilter,
    GridListFilter,
    ImportExportScopedMixin,
    PersonalDataAdminMixin,
    ScopedAdminMixin,
    ScopedInlineMixin,
)
from portal.privacy import ADMIN, mask_id_number, mask_phone
from portal.scoping import Subtree, scope_of, scope_queryset


class GridAdminForm(forms.ModelForm):
    class Meta:
        model = Grid
        fields = ("name", "code", "kind", "parent", "address", "phone")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and not user.is_superuser and "parent" in self.fields:
            # Only superusers add streets (roots); staff add below their scope.
            self.fields["parent"].required = True


@admin.register(Grid)
class GridAdmin(ScopedAdminMixin, MPTTModelAdmin):
    form = GridAdminForm
    list_display = ("name", "code", "kind", "address", "phone")
    list_filter = ("kind",)
    search_fields = ("name", "code")
    mptt_level_indent = 24
    actions = None  # a bulk delete would bypass the tree lock

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class FormWithUser(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return FormWithUser

    def _is_own_scope_root(self, request, obj):
        # Staff manage what lies below their scope node, not the node itself.
        if obj is None or request.user.is_superuser:
            return False
        return scope_of(request.user) == Subtree.of(obj)

    def has_change_permission(self, request, obj=None):
        if self._is_own_scope_root(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._is_own_scope_root(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = {k: form.cleaned_data[k] for k in ("name", "code", "kind", "parent", "address", "phone")}
        saved = services.grid_update(grid=obj, **data) if change else services.grid_create(**data)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        try:
            services.grid_delete(grid=obj)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))


@admin.register(Building)
class BuildingAdmin(ImportExportScopedMixin, ScopedAdminMixin, ImportExportModelAdmin):
    resource_classes = [BuildingResource]
    list_display = ("name", "grid", "units", "floors", "address")
    list_filter = (CommunityListFilter, GridListFilter)
    search_fields = ("name", "address", "grid__name", "grid__code")
    list_select_related = ("grid",)
    ordering = ("grid__code", "name")


class ResidentInline(ScopedInlineMixin, admin.TabularInline):
    model = Resident
    extra = 0
    fields = ("name", "relation", "gender", "birth_date", "masked_phone", "masked_id_number")
    readonly_fields = ("masked_phone", "masked_id_number")
    show_change_link = True

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description=_("身份证号"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number)


class BuildingInGridFilter(admin.SimpleListFilter):
    """Buildings are too many to list for a street; offered once a grid is chosen."""

    title = _("楼栋")
    parameter_name = "building"

    def lookups(self, request, model_admin):
        grid = request.GET.get(GridListFilter.parameter_name, "")
        if not grid.isdigit():
            return []
        buildings = scope_queryset(Building.objects.filter(grid_id=grid), request.user)
        return [(str(b.pk), b.name) for b in buildings]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if not self.value().isdigit():
            return queryset.none()
        return queryset.filter(building_id=self.value())


@admin.register(Household)
class HouseholdAdmin(
    PersonalDataAdminMixin, ImportExportScopedMixin, ScopedAdminMixin, ImportExportModelAdmin
):
    resource_classes = [HouseholdResource]
    skip_admin_log = True  # one access-log entry per import instead of one row per household
    inlines = [ResidentInline]
    list_display = (
        "address",
        "head_name",
        "list_phone",
        "rainbow",
        "grid",
        "last_visited_at",
    )
    list_filter = (CommunityListFilter, GridListFilter, BuildingInGridFilter, "category")
    search_fields = ("head_name", "building__name", "room", "residents__name")
    list_select_related = ("building", "grid")
    autocomplete_fields = ("building",)
    readonly_fields = ("grid", "last_visited_at")
    list_per_page = 50
    show_full_result_count = False  # a second COUNT over a district is wasted work

    def save_model(self, request, obj, form, change):
        services.household_save(
            household=obj, actor=request.user, via=ADMIN, changed_fields=form.changed_data
        )

    @admin.display(description=_("住址"), ordering="building__name")
    def address(self, obj):
        return obj.address_label

    @admin.display(description=_("联系电话"))
    def list_phone(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description=_("彩虹分类"), ordering="category")
    def rainbow(self, obj):
        return format_html(
            '<span class="rainbow" style="--c:{}">{}</span>', obj.colour, obj.get_category_display()
        )


@admin.register(Resident)
class ResidentAdmin(PersonalDataAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "household", "relation", "gender", "list_phone")
    list_filter = (CommunityListFilter, GridListFilter, "relation")
    search_fields = ("name", "household__head_name")
    list_select_related = ("household__building",)
    autocomplete_fields = ("household",)
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        services.resident_save(resident=obj, actor=request.user, via=ADMIN, changed_fields=form.changed_data)

    @admin.display(description=_("手机号"))
    def list_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(GridAssignment)
class GridAssignmentAdmin(ImportExportScopedMixin, ScopedAdminMixin, ImportExportModelAdmin):
    resource_classes = [GridWorkerResource]
    list_display = ("person", "role", "grid", "building", "unit", "start_date", "end_date")
    list_filter = (CommunityListFilter, GridListFilter, "role")
    search_fields = ("person__username", "person__full_name", "grid__name")
    list_select_related = ("person", "grid", "building")
    autocomplete_fields = ("person", "building")


@admin.register(Visit)
class VisitAdmin(ImportExportScopedMixin, ScopedAdminMixin, ExportMixin, admin.ModelAdmin):
    resource_classes = [VisitResource]
    list_display = ("household", "visitor", "visited_at", "method", "follow_up_state", "grid")
    list_filter = (CommunityListFilter, GridListFilter, "method", "follow_up_needed")
    search_fields = ("household__head_name", "household__building__name", "visitor__full_name")
    date_hierarchy = "visited_at"
    list_select_related = ("household__building", "visitor", "grid")
    autocomplete_fields = ("household", "visitor")
    readonly_fields = ("grid", "follow_up_done_at", "follow_up_by", "created_at")
    show_full_result_count = False

    @admin.display(description=_("跟进"))
    def follow_up_state(self, obj):
        if not obj.follow_up_needed:
            return "—"
        return _("已完成") if obj.follow_up_done_at else _("待跟进")
