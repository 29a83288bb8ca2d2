import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportExportModelAdmin
from mptt.admin import MPTTModelAdmin

from grids import services
from grids.models import Building, Grid, GridAssignment, Household, Resident, Visit
from grids.resources import BuildingResource, GridWorkerResource, HouseholdResource, VisitResource
from portal.admin import (
    CommunityListFilter,
    DateRangeFilter,
    DistrictListMixin,
    GridListFilter,
    ImportExportScopedMixin,
    PersonalDataAdminMixin,
    ScopedAdminMixin,
    ScopedInlineMixin,
)
from portal.privacy import ADMIN, mask_id_number, mask_phone
from portal.scoping import Subtree, scope_of, scope_queryset
from portal.validators import is_id_number, is_mobile, normalise_digits, normalise_phone


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
    list_display = ("natural_name", "grid", "units", "floors", "address")
    list_filter = (CommunityListFilter, GridListFilter)
    search_fields = ("name", "address", "grid__name", "grid__code")
    list_select_related = ("grid",)
    # By grid, then as people count (1号楼 < 2号楼 < 10号楼): one index, no join to sort on.
    ordering = ("grid_id", "sort_key", "id")

    @admin.display(description=_("楼栋"), ordering="sort_key")
    def natural_name(self, obj):
        return obj.name


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


# What staff type for an address: 3-2-301, 3号楼2单元301, 3号楼 2单元 301室, 3栋2单元301.
_ADDRESS_WORDS = re.compile(r"(号楼|栋|幢|单元|室)")
_ADDRESS_SEPARATORS = re.compile(r"[\s\-－—_/]+")


def parse_address(term):
    """(building, unit, room) when the search looks like an address, else None."""
    text = normalise_digits(term or "").strip()
    if not text or not re.search(r"\d", text) or is_mobile(normalise_phone(text)):
        return None  # nothing like an address, or a phone number typed in groups (139 1234 5678)
    parts = [p for p in _ADDRESS_SEPARATORS.split(_ADDRESS_WORDS.sub("-", text)) if p]
    if len(parts) != 3 or not (parts[1].isalnum() and parts[2].isalnum()):
        return None
    if not _ADDRESS_WORDS.search(text) and not _ADDRESS_SEPARATORS.search(text):
        return None
    return tuple(parts)


def address_condition(building, unit, room, prefix=""):
    """Households at that address, however the building, unit and room were written when stored."""
    return Q(
        **{
            f"{prefix}building__name__in": [building, f"{building}号楼", f"{building}栋", f"{building}幢"],
            f"{prefix}unit__in": [unit, f"{unit}单元"],
            f"{prefix}room__in": [room, f"{room}室"],
        }
    )


@admin.register(Household)
class HouseholdAdmin(
    PersonalDataAdminMixin,
    ImportExportScopedMixin,
    DistrictListMixin,
    ScopedAdminMixin,
    ImportExportModelAdmin,
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
    # Residents' names are searched with EXISTS (get_search_results): a join
    # to them here would make the list SELECT DISTINCT over every column.
    search_fields = ("head_name", "building__name", "room")
    search_help_text = _("按户主或家庭成员姓名、住址（如 3-2-301、3号楼2单元301）或完整手机号搜索。")
    list_select_related = ("building", "grid")
    autocomplete_fields = ("building",)
    readonly_fields = ("grid", "last_visited_at")
    list_per_page = 50
    # By grid, then building, unit and room as people count: the index household_natural_idx.
    ordering = ("grid_id", "sort_key", "id")

    def get_search_results(self, request, queryset, search_term):
        term = (search_term or "").strip()
        address = parse_address(term)
        if address is not None:
            return queryset.filter(address_condition(*address)), False
        if not term or is_mobile(normalise_phone(term)) or is_id_number(normalise_digits(term).upper()):
            # A whole phone or ID number: the exact, indexed and logged lookup of ScopedAdminMixin.
            return super().get_search_results(request, queryset, search_term)
        # One condition on the scoped rows (a union of two filtered lists would
        # repeat the scope on both sides of an OR); residents by EXISTS, never a
        # join that would make the list SELECT DISTINCT.
        condition = Q(head_name__icontains=term) | Exists(
            Resident.objects.filter(household=OuterRef("pk"), name__icontains=term)
        )
        if re.search(r"\d", normalise_digits(term)):  # buildings and rooms have numbers, names do not
            condition |= Q(building__name__icontains=term) | Q(room__icontains=term)
        return queryset.filter(condition), False

    def save_model(self, request, obj, form, change):
        services.household_save(
            household=obj, actor=request.user, via=ADMIN, changed_fields=form.changed_data
        )

    @admin.display(description=_("住址"), ordering="sort_key")
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
class ResidentAdmin(PersonalDataAdminMixin, DistrictListMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "household", "relation", "gender", "list_phone")
    list_filter = (CommunityListFilter, GridListFilter, "relation")
    search_fields = ("name", "household__head_name")
    list_select_related = ("household__building",)
    autocomplete_fields = ("household",)
    ordering = ("household_id", "id")  # the model's order reaches through households to buildings and grids

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


class VisitorFilter(admin.SimpleListFilter):
    """The grid workers of the chosen grid (or community): offered once one is chosen."""

    title = _("走访人")
    parameter_name = "visitor"

    def has_output(self):
        # Applied whenever the URL names a worker (the list's links), listed once a grid is chosen.
        return bool(self.lookup_choices) or self.value() is not None

    def lookups(self, request, model_admin):
        grid = request.GET.get(GridListFilter.parameter_name, "")
        community = request.GET.get(CommunityListFilter.parameter_name, "")
        if grid.isdigit():
            posts = GridAssignment.objects.filter(grid_id=grid)
        elif community.isdigit():
            posts = GridAssignment.objects.filter(grid__parent_id=community)
        else:
            return []
        posts = scope_queryset(posts, request.user).select_related("person").order_by("person__full_name")
        people = {post.person_id: post.person for post in posts}
        return [(str(pk), person.full_name or person.username) for pk, person in people.items()]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if not self.value().isdigit():
            return queryset.none()
        return queryset.filter(visitor_id=self.value())


class FollowUpFilter(admin.SimpleListFilter):
    title = _("跟进")
    parameter_name = "follow_up"

    def lookups(self, request, model_admin):
        return [("open", _("待跟进")), ("done", _("已完成")), ("none", _("无需跟进"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(follow_up_needed=True, follow_up_done_at__isnull=True)
        if self.value() == "done":
            return queryset.filter(follow_up_needed=True, follow_up_done_at__isnull=False)
        if self.value() == "none":
            return queryset.filter(follow_up_needed=False)
        return queryset


@admin.register(Visit)
class VisitAdmin(ImportExportScopedMixin, DistrictListMixin, ScopedAdminMixin, ExportMixin, admin.ModelAdmin):
    resource_classes = [VisitResource]
    list_display = (
        "visited_at",
        "household_address",
        "head_name",
        "short_findings",
        "visitor",
        "method",
        "follow_up_state",
        "grid",
    )
    list_filter = (
        CommunityListFilter,
        GridListFilter,
        VisitorFilter,
        ("visited_at", DateRangeFilter),
        "method",
        FollowUpFilter,
    )
    search_fields = ("household__head_name", "household__building__name", "visitor__full_name")
    search_help_text = _("按户主姓名、楼栋、住址（如 3-2-301）或走访人姓名搜索。")
    list_select_related = ("household__building", "visitor", "grid")
    autocomplete_fields = ("household", "visitor")
    readonly_fields = ("grid", "follow_up_done_at", "follow_up_by", "created_at")
    ordering = ("-visited_at", "-id")  # the index visit_recent_idx

    def get_search_results(self, request, queryset, search_term):
        address = parse_address(search_term)
        if address is not None:
            return queryset.filter(address_condition(*address, prefix="household__")), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("住址"))
    def household_address(self, obj):
        return obj.household.address_label

    @admin.display(description=_("户主"))
    def head_name(self, obj):
        return obj.household.head_name

    @admin.display(description=_("走访情况"))
    def short_findings(self, obj):
        return Truncator(obj.findings).chars(40)

    @admin.display(description=_("跟进"))
    def follow_up_state(self, obj):
        if not obj.follow_up_needed:
            return "—"
        return _("已完成") if obj.follow_up_done_at else _("待跟进")
