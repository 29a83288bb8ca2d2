"""Admin screens that are read only, scoped by the one scoping rule, and masking personal data."""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.access import node_of
from portal.models import PersonalDataLog
from portal.privacy import (
    ADMIN,
    can_view_personal_data,
    mask_id_number,
    mask_phone,
    personal_data_record,
    personal_data_write_record,
)
from portal.scoping import scope_queryset
from portal.validators import is_id_number, is_mobile, normalise_digits, normalise_phone


def _scoped(model, queryset, user):
    if getattr(model, "scope_field", None) is None:
        return queryset
    return scope_queryset(queryset, user)


def page_link(url, label=None):
    """A link from an admin list to the object's own page."""
    return format_html('<a href="{}">{}</a>', url, label or _("打开页面"))


class ReadOnlyAdminMixin:
    """Lists and view pages only: these rows are written by services, never edited by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _personal_field_in(model, lookup):
    """Whether a list lookup ("id_number__startswith", "household__phone") reaches a personal field."""
    for part in lookup.split(LOOKUP_SEP):
        if part in getattr(model, "PERSONAL_FIELDS", ()):
            return True
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return False


def _full_value_lookups(model, term):
    """{field: value} for a search term that is a whole phone or ID number of `model`'s kind."""
    fields = getattr(model, "PERSONAL_FIELDS", ())
    found = {}
    phone = normalise_phone(term)
    if "phone" in fields and is_mobile(phone):
        found["phone"] = phone
    id_number = normalise_digits(term).strip().upper()
    if "id_number" in fields and is_id_number(id_number):
        found["id_number"] = id_number
    return found


class ScopedAdminMixin:
    """Applies the one scoping rule to a ModelAdmin.

    Lists, change and delete pages, actions and exports all start from
    `get_queryset`; foreign-key and many-to-many choices (and therefore any
    tampered POST naming an object outside the scope) are limited too.

    Personal data (each model's PERSONAL_FIELDS) is shown masked to users
    without the permission; list lookups on it (?id_number__startswith=110…)
    would read it back digit by digit, so they are refused for those users.
    Searching by a whole phone or ID number finds it by exact match, and every
    row found that way is written to the personal-data access log.
    """

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        names = [
            name
            for name in self.get_autocomplete_fields(request)
            if self.model._meta.get_field(name).related_model._meta.pk.get_internal_type()
            in ("AutoField", "BigAutoField")
        ]
        if not names:
            return form_class

        class WholeIdsOnly(form_class):
            """An autocomplete box sent something other than an id (a tampered POST): it is left empty,
            so the form says what is missing instead of the widget failing while it draws the value."""

            def __init__(self, *args, **inner):
                super().__init__(*args, **inner)
                if not self.is_bound or not hasattr(self.data, "getlist"):
                    return
                data = self.data.copy()
                for name in names:
                    key = self.add_prefix(name)
                    values = data.getlist(key)
                    kept = [v for v in values if v == "" or (v.isascii() and v.isdigit() and len(v) < 19)]
                    if kept != values:
                        data.setlist(key, kept)
                self.data = data

        WholeIdsOnly.__name__ = form_class.__name__
        return WholeIdsOnly

    def lookup_allowed(self, lookup, value, request):
        if not can_view_personal_data(request.user) and _personal_field_in(self.model, lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        exact = _full_value_lookups(self.model, search_term or "")
        if not exact:
            return results, may_have_duplicates
        condition = Q()
        for name, value in exact.items():
            condition |= Q(**{name: value})
        matches = queryset.filter(condition)
        for obj in matches[:20]:
            personal_data_record(
                actor=request.user,
                action=PersonalDataLog.Action.VIEW,
                subject=obj,
                fields=list(exact),
                grid=node_of(obj),
                detail=_("在管理后台按完整号码搜索"),
            )
        return results | matches, may_have_duplicates

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Outside the scope looks exactly like absent: no hint it exists.
            raise Http404
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        model = db_field.related_model
        base = kwargs.get("queryset", model._default_manager.all())
        kwargs["queryset"] = _scoped(model, base, request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        model = db_field.related_model
        base = kwargs.get("queryset", model._default_manager.all())
        kwargs["queryset"] = _scoped(model, base, request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedInlineMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        model = db_field.related_model
        base = kwargs.get("queryset", model._default_manager.all())
        kwargs["queryset"] = _scoped(model, base, request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PersonalDataAdminMixin:
    """Masks the model's PERSONAL_FIELDS for users without the permission.

    Lists always show masked values: the full number is one click away on the
    change page, where showing it is recorded in the access log, as is every
    change of it. An admin whose model has a save service overrides save_model
    to call it; the service records the change by the same rule.
    """

    def _personal_fields(self):
        return getattr(self.model, "PERSONAL_FIELDS", ())

    def get_fields(self, request, obj=None):
        names = list(super().get_fields(request, obj))
        if can_view_personal_data(request.user):
            return names
        return [f"masked_{n}" if n in self._personal_fields() else n for n in names]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not can_view_personal_data(request.user):
            readonly += [f"masked_{n}" for n in self._personal_fields()]
        return readonly

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not can_view_personal_data(request.user):
            exclude += list(self._personal_fields())
        return exclude

    @admin.display(description=_("联系电话"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description=_("身份证号"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = response.context_data.get("original") if hasattr(response, "context_data") else None
            if obj is not None and can_view_personal_data(request.user):
                shown = [n for n in self._personal_fields() if getattr(obj, n)]
                if shown:
                    personal_data_record(
                        actor=request.user,
                        action=PersonalDataLog.Action.VIEW,
                        subject=obj,
                        fields=shown,
                        grid=node_of(obj),
                        detail=_("在管理后台查看"),
                    )
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        personal_data_write_record(
            actor=request.user,
            via=ADMIN,
            created=() if change else [obj],
            changed=[obj] if change else (),
            changed_fields=form.changed_data,
        )
