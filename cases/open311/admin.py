"""Issuing and revoking API keys in the admin: the plain key is shown once, on the page after 保存."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cases.open311 import services
from cases.open311.models import ApiKey
from portal.admin import ScopedAdminMixin


@admin.register(ApiKey)
class ApiKeyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "prefix",
        "scope",
        "owner",
        "active",
        "created_at",
        "last_used_at",
        "revoked_at",
        "filed",
    )
    list_filter = ("active",)
    search_fields = ("name", "prefix")
    list_select_related = ("scope", "owner")
    actions = ["revoke"]
    fields = ("name", "owner", "scope")
    readonly_fields = ()

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(filed_count=Count("requests"))

    @admin.display(description=_("已提交事件"), ordering="filed_count")
    def filed(self, obj):
        return obj.filed_count

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # A key's owner and scope stay what they were issued for: issue a new key instead.
        return (
            "prefix",
            "owner",
            "scope",
            "active",
            "created_at",
            "created_by",
            "last_used_at",
            "revoked_at",
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "owner", "scope")
        return ("name", *self.get_readonly_fields(request, obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "scope":
            field.queryset = field.queryset.filter(kind__in=["street", "community"])
        return field

    def has_delete_permission(self, request, obj=None):
        return False  # a key is revoked, never deleted: the cases it filed keep naming it

    def save_model(self, request, obj, form, change):
        if change:
            ApiKey.objects.filter(pk=obj.pk).update(name=obj.name)
            return
        try:
            issued, plain = services.api_key_issue(
                by=request.user, name=obj.name, owner=obj.owner, scope=obj.scope
            )
        except (ValidationError, PermissionDenied) as error:
            raise PermissionDenied(" ".join(getattr(error, "messages", [str(error)]))) from error
        obj.pk = issued.pk
        obj.prefix = issued.prefix
        obj.created_at = issued.created_at
        obj._state.adding = False
        obj._plain_key = plain

    def response_add(self, request, obj, post_url_continue=None):
        # The only time the plain key exists: on this page, never in a message or a log.
        return TemplateResponse(
            request,
            "admin/open311/apikey_issued.html",
            {
                **self.admin_site.each_context(request),
                "key": obj,
                "plain": obj._plain_key,
                "opts": self.model._meta,
            },
        )

    @admin.action(description=_("撤销所选密钥"), permissions=["change"])
    def revoke(self, request, queryset):
        count = 0
        for key in queryset.filter(active=True):
            services.api_key_revoke(by=request.user, key=key)
            count += 1
        self.message_user(
            request,
            ngettext("已撤销 %(n)s 个密钥。", "已撤销 %(n)s 个密钥。", count) % {"n": count},
            messages.SUCCESS,
        )
