"""Accounts and the personal-data access log: who may manage whom, never a peer or a superior."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from portal.admin.lists import DateRangeFilter, DistrictPaginator
from portal.admin.mixins import ReadOnlyAdminMixin, ScopedAdminMixin, ScopedInlineMixin
from portal.models import PersonalDataLog, StaffProfile, User
from portal.roles import ADMIN_ROLES, Role, accounts_manageable_by, roles_below
from portal.text import join_list


class StaffProfileInline(ScopedInlineMixin, admin.StackedInline):
    model = StaffProfile
    can_delete = False
    extra = 1
    max_num = 1
    verbose_name_plural = _("管辖范围")

    def get_min_num(self, request, obj=None, **kwargs):
        # Staff other than superusers must give every account they create a
        # scope inside their own; otherwise it would vanish from their list.
        return 0 if request.user.is_superuser else 1


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin):
    inlines = [StaffProfileInline]
    list_display = ("username", "full_name", "role_list", "scope", "is_active", "last_login")
    list_filter = ("is_active", "groups")
    search_fields = ("username", "full_name")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("基本信息"), {"fields": ("full_name", "phone", "email")}),
        (_("角色"), {"fields": ("is_active", "groups")}),
        (_("超级管理员"), {"fields": ("is_staff", "is_superuser", "user_permissions")}),
        (_("登录与注册时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "password1", "password2", "groups"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_queryset(self, request):
        # Only accounts ranked below the user's own: a peer, a superior or the
        # user's own account is absent here, so its pages (change, password,
        # history, delete) answer 404 like any object outside the scope.
        queryset = accounts_manageable_by(super().get_queryset(request), request.user)
        return queryset.select_related("staff_profile__scope").prefetch_related("groups")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return tuple(fs for fs in fieldsets if fs[1]["fields"][0] != "is_staff")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            names = [role.value for role in roles_below(request.user)]
            kwargs["queryset"] = Group.objects.filter(name__in=names)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        user = form.instance
        before = set(user.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        # The form offers only the roles the editor may grant; the others the
        # account holds were not shown, so saving must not take them away.
        offered = set()
        if "groups" in form.fields:
            offered = set(form.fields["groups"].queryset.values_list("name", flat=True))
        hidden = before - offered
        if hidden:
            user.groups.add(*Group.objects.filter(name__in=hidden))
        after = set(user.groups.values_list("name", flat=True))
        self._follow_admin_roles(user, before, after)

    @staticmethod
    def _follow_admin_roles(user, before, after):
        """Admin access comes with an admin role granted here and goes with one taken away here."""
        if user.is_superuser:
            return
        admin_names = {role.value for role in ADMIN_ROLES}
        taken = bool(before & admin_names) and not (after & admin_names)
        if after & admin_names and not user.is_staff:
            User.objects.filter(pk=user.pk).update(is_staff=True)
        elif taken and user.is_staff:
            User.objects.filter(pk=user.pk).update(is_staff=False)

    @admin.display(description=_("角色"))
    def role_list(self, obj):
        labels = {role.value: role.label for role in Role}
        return join_list(labels.get(g.name, g.name) for g in obj.groups.all())

    @admin.display(description=_("管辖范围"))
    def scope(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return profile.scope if profile else "—"


@admin.register(PersonalDataLog)
class PersonalDataLogAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    paginator = DistrictPaginator
    show_full_result_count = False
    list_display = (
        "created_at",
        "actor_username",
        "action",
        "subject_type",
        "subject_label",
        "fields",
        "detail",
    )
    list_filter = ("action", "subject_type", ("created_at", DateRangeFilter))
    search_fields = ("actor_username", "subject_label")
    list_select_related = ("subject_type",)
