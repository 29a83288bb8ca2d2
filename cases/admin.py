"""Grid cases in the admin: the street edits its categories and departments; cases and their log are read here
and changed only through the case pages (cases.services), so every change is checked and logged."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseEvent, Category, Department, Dispatch
from portal.admin import (
    CommunityListFilter,
    PersonalDataAdminMixin,
    ReadOnlyAdminMixin,
    ScopedAdminMixin,
    ScopedInlineMixin,
    page_link,
)
from portal.privacy import mask_phone
from portal.scoping import scope_node, scope_queryset


def liaison_candidates(user):
    """Accounts staff may make a department's liaison: logins without a grid scope (department staff, unit
    liaisons) or inside their own, never a superuser, never one already liaising for another street's department."""
    users = get_user_model().objects
    outside = Department.objects.exclude(pk__in=scope_queryset(Department.objects.all(), user).values("pk"))
    return (
        users.filter(is_superuser=False, is_active=True)
        .filter(Q(staff_profile__isnull=True) | Q(pk__in=scope_queryset(users.all(), user).values("pk")))
        .exclude(case_departments__in=outside)
        .distinct()
        .order_by("username")
    )


def _liaison_label(user):
    login = user.get_username()
    name = user.get_full_name()
    return f"{name}（{login}）" if name and name != login else login


class _StreetDefaultMixin:
    """A new row belongs to the street of whoever adds it, unless a superuser picks one."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "street":
            field.queryset = field.queryset.filter(kind="street")
            node = scope_node(request.user)
            if node is not None and node.kind == "street":
                field.initial = node.pk
        return field


@admin.register(Category)
class CategoryAdmin(_StreetDefaultMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "street", "first_level", "sign_hours", "finish_hours", "active", "position")
    list_filter = ("active", "first_level")
    list_editable = ("active", "position")
    search_fields = ("name",)
    list_select_related = ("street",)

    def has_delete_permission(self, request, obj=None):
        return False  # cases name their category; switch it off instead


@admin.register(Department)
class DepartmentAdmin(_StreetDefaultMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "street", "phone", "active")
    list_filter = ("active",)
    search_fields = ("name",)
    filter_horizontal = ("liaisons",)
    list_select_related = ("street",)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "liaisons":
            # A department's liaison logins have no grid scope, so the scoped user list would hide them.
            field = admin.ModelAdmin.formfield_for_manytomany(self, db_field, request, **kwargs)
            field.queryset = liaison_candidates(request.user)
            # A street has a thousand logins and many share a name: show the login too.
            field.label_from_instance = _liaison_label
            return field
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnlyInline(ReadOnlyAdminMixin, ScopedInlineMixin, admin.TabularInline):
    extra = 0


class DispatchInline(_ReadOnlyInline):
    model = Dispatch
    fields = ("department", "unit", "state", "dispatched_at", "signed_at", "done_at", "returned_at", "reason")
    readonly_fields = fields


class CaseEventInline(_ReadOnlyInline):
    model = CaseEvent
    fields = ("at", "action", "actor", "from_state", "to_state", "level", "note")
    readonly_fields = fields


class CaseCommunityFilter(CommunityListFilter):
    community_lookup = "community_id"


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, PersonalDataAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "code",
        "reported_at",
        "community",
        "category",
        "short_text",
        "state",
        "level",
        "list_phone",
    )
    list_filter = (CaseCommunityFilter, "state", "level", "source")
    search_fields = ("code", "description")
    list_select_related = ("community", "category")
    date_hierarchy = "reported_at"
    show_full_result_count = False
    inlines = [DispatchInline, CaseEventInline]
    fields = (
        "code",
        "page",
        "state",
        "level",
        "grid",
        "category",
        "source",
        "description",
        "address",
        "reporter_name",
        "reporter_phone",
        "reported_at",
        "sign_due_at",
        "finish_due_at",
        "sign_overdue_at",
        "finish_overdue_at",
        "result",
        "rating",
        "reopened_count",
        "merged_into",
    )
    readonly_fields = fields

    @admin.display(description=_("内容"))
    def short_text(self, obj):
        return obj.description[:30]

    @admin.display(description=_("手机号"))
    def list_phone(self, obj):
        return mask_phone(obj.reporter_phone)

    @admin.display(description=_("反映人手机号"))
    def masked_reporter_phone(self, obj):
        return mask_phone(obj.reporter_phone)

    @admin.display(description=_("事件页面"))
    def page(self, obj):
        return page_link(reverse("cases:detail", args=[obj.pk]))


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("at", "case", "action", "actor", "from_state", "to_state", "level")
    list_filter = ("action",)
    search_fields = ("case__code",)
    list_select_related = ("case", "actor")
    date_hierarchy = "at"
    show_full_result_count = False
