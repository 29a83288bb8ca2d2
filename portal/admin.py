import logging
from urllib.parse import quote

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.forms import ImportForm, SelectableFieldsExportForm
from import_export.results import RowResult

from portal.access import node_of
from portal.import_changes import changes_sheets, spool_for
from portal.imports import ImportRefused, check_size
from portal.models import PersonalDataLog, StaffProfile, User
from portal.privacy import (
    ADMIN,
    can_view_personal_data,
    mask_id_number,
    mask_phone,
    personal_data_record,
    personal_data_write_record,
)
from portal.roles import ADMIN_ROLES, Role, accounts_manageable_by, roles_below
from portal.scoping import grid_model, scope_queryset
from portal.text import join_list
from portal.validators import is_id_number, is_mobile, normalise_digits, normalise_phone
from portal.xlsx import workbook_bytes, xlsx_response

logger = logging.getLogger(__name__)

admin.site.site_header = _("街道党建引领基层治理平台")
admin.site.site_title = _("基层治理平台")
admin.site.index_title = _("管理")


def _scoped(model, queryset, user):
    if getattr(model, "scope_field", None) is None:
        return queryset
    return scope_queryset(queryset, user)


def page_link(url, label=None):
    """A link from an admin list to the object's own page."""
    return format_html('<a href="{}">{}</a>', url, label or _("打开页面"))


# --- lists at district scale ---------------------------------------------------------


class DateRangeFilter(admin.FieldListFilter):
    """从…到… on a date or date-time field: two date inputs, each optional, both days included.

    It replaces `date_hierarchy` on the large lists: the hierarchy runs a MIN/MAX
    and a DISTINCT pass over every row in scope on each request, where a range
    is one indexed condition. A date that does not parse is reported and
    ignored: the list stays as it was.
    """

    template = "admin/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.since_param = f"{field_path}__since"
        self.until_param = f"{field_path}__until"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.request = request
        self.since, self.until = self._parsed(request)

    def expected_parameters(self):
        return [self.since_param, self.until_param]

    def has_output(self):
        return True

    def _parsed(self, request):
        from django.contrib import messages
        from django.utils.dateparse import parse_date

        found = []
        for param in (self.since_param, self.until_param):
            value = self.used_parameters.get(param)
            if isinstance(value, list):
                value = value[-1] if value else None
            day = None
            if value:
                try:
                    day = parse_date(str(value).strip())
                except ValueError:
                    day = None
                if day is None:
                    messages.error(
                        request,
                        _("日期“%(value)s”无法识别，请按 年-月-日 填写，例如 2026-11-01。")
                        % {"value": value},
                    )
            found.append(day)
        return found

    def _bound(self, day):
        """The instant a day starts (local time) for a date-time field; the day itself for a date field."""
        import datetime

        from django.db import models
        from django.utils import timezone

        if isinstance(self.field, models.DateTimeField):
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
        return day

    def queryset(self, request, queryset):
        import datetime

        since, until = self.since, self.until
        if since and until and until < since:
            since, until = until, since
        if since:
            queryset = queryset.filter(**{f"{self.field_path}__gte": self._bound(since)})
        if until:
            queryset = queryset.filter(
                **{f"{self.field_path}__lt": self._bound(until + datetime.timedelta(days=1))}
            )
        return queryset

    def choices(self, changelist):
        others = [
            (key, value)
            for key, values in self.request.GET.lists()
            if key not in (self.since_param, self.until_param, "p")
            for value in values
        ]
        yield {
            "since_param": self.since_param,
            "until_param": self.until_param,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "others": others,
            "clear": changelist.get_query_string(remove=[self.since_param, self.until_param]),
            "selected": bool(self.since or self.until),
        }


class DistrictPaginator(Paginator):
    """Counts that stay cheap on tables of a district (or a hundred streets).

    An unfiltered list of a large table (a superuser's, nothing searched or
    chosen) is counted from PostgreSQL's statistics (`pg_class.reltuples`, kept
    by ANALYZE and autovacuum) instead of a COUNT over every row. A filtered
    list counts at most COUNT_CAP rows: beyond that the pages show the first
    COUNT_CAP results, and staff narrow the list with a filter or a search.
    """

    ESTIMATE_ABOVE = 20_000
    COUNT_CAP = 10_000

    def page(self, number):
        """The page's rows in two steps: their keys from the list's order, then those rows.

        The keys come from an index alone where one covers the order and the
        scope (a late page skips thousands of index entries, not thousands
        of joined rows); the joins and columns of the list are then paid for
        the page's rows only.
        """
        queryset = self.object_list
        if not hasattr(queryset, "query") or queryset.query.distinct:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(queryset.values_list("pk", flat=True)[bottom:top])
        found = queryset.order_by().filter(pk__in=keys).in_bulk() if keys else {}
        return self._get_page([found[key] for key in keys if key in found], number, self)

    @cached_property
    def count(self):
        queryset = self.object_list
        if not hasattr(queryset, "query"):
            return super().count
        estimate = self._estimate(queryset)
        if estimate is not None:
            return estimate
        return queryset.order_by()[: self.COUNT_CAP].count()

    def _estimate(self, queryset):
        from django.db import connections

        connection = connections[queryset.db]
        if connection.vendor != "postgresql" or queryset.query.where or queryset.query.distinct:
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [connection.ops.quote_name(queryset.model._meta.db_table)],
            )
            row = cursor.fetchone()
        if row is None or row[0] is None or row[0] < self.ESTIMATE_ABOVE:
            return None  # never analysed (-1), or small enough to count
        return int(row[0])


class DistrictListMixin:
    """A large list: cheap counts and pages (DistrictPaginator), no second COUNT, 50 rows a page."""

    paginator = DistrictPaginator
    show_full_result_count = False
    list_per_page = 50


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


# --- list filters that follow the scope ---------------------------------------------


class CommunityListFilter(admin.SimpleListFilter):
    """Communities inside the user's scope; rows are matched through `community_lookup`,
    by default the parent of the row's `scope_field` node (a grid)."""

    title = _("社区")
    parameter_name = "community"
    community_lookup = "{scope_field}__parent_id"

    def lookups(self, request, model_admin):
        Grid = grid_model()
        communities = scope_queryset(Grid.objects.filter(kind=Grid.Kind.COMMUNITY), request.user)
        return [(str(g.pk), g.name) for g in communities.order_by("code")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if not self.value().isdigit():
            return queryset.none()  # a tampered URL: show nothing rather than fail
        lookup = self.community_lookup.format(scope_field=queryset.model.scope_field)
        return queryset.filter(**{lookup: self.value()})


class GridListFilter(admin.SimpleListFilter):
    """Grids inside the user's scope, narrowed to the chosen community."""

    title = _("网格")
    parameter_name = "grid"
    # More grids than this in the list's scope (a district's hundreds): offered
    # once a community is chosen, as a list of them would be no help anyway.
    MAX_CHOICES = 60

    def lookups(self, request, model_admin):
        Grid = grid_model()
        grids = scope_queryset(Grid.objects.filter(kind=Grid.Kind.GRID), request.user)
        community = request.GET.get(CommunityListFilter.parameter_name, "")
        if community.isdigit():
            grids = grids.filter(parent_id=community)
        choices = [(str(g.pk), g.name) for g in grids.order_by("code")[: self.MAX_CHOICES + 1]]
        return choices if len(choices) <= self.MAX_CHOICES else []

    def has_output(self):
        return bool(self.lookup_choices) or self.value() is not None

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if not self.value().isdigit():
            return queryset.none()
        return queryset.filter(**{f"{queryset.model.scope_field}_id": self.value()})


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


def _xlsx_first(form):
    """The format list without import-export's "---": XLSX (the first format) is chosen."""
    field = form.fields["format"]
    field.label = _("文件格式")
    titles = {"xlsx": _("Excel 工作簿（.xlsx）"), "csv": _("CSV 文本（.csv）")}
    field.choices = [(value, titles.get(title, title)) for value, title in field.choices if value != ""]
    form.initial.setdefault("format", field.choices[0][0])
    form.fields["resource"].label = _("数据")


class LimitedImportForm(ImportForm):
    """The import page's form: a file over the size limit is refused before it is read."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        _xlsx_first(self)
        self.fields["import_file"].label = _("要导入的文件")

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload.size)
        except ImportRefused as refused:
            raise ValidationError(refused.message) from None
        return upload


class ChineseExportForm(SelectableFieldsExportForm):
    """The export form: XLSX chosen, and each column listed by its Chinese header only."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        _xlsx_first(self)

    def _get_field_label(self, resource, field_name):
        field = resource.fields.get(field_name)
        return field.column_name if field is not None else field_name


class ImportExportScopedMixin:
    """Hands the signed-in user to import/export resources, for scope and masking.

    Imports are read within the limits of portal.imports; a file that breaks
    one, or cannot be read at all, gets a message in the user's language on the
    import page, never a 500 or an exception's name.
    """

    import_form_class = LimitedImportForm
    export_form_class = ChineseExportForm
    import_template_name = "admin/portal/import.html"

    def get_urls(self):
        if not hasattr(self, "import_action"):
            return super().get_urls()
        info = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        own = [
            path(
                "import/changes.xlsx",
                self.admin_site.admin_view(self.import_changes_view),
                name=self._changes_url_name(),
            ),
            path(
                "import/job/<uuid:pk>/",
                self.admin_site.admin_view(self.import_job_view),
                name=f"{info}_import_job",
            ),
            path(
                "import/job/<uuid:pk>/confirm/",
                self.admin_site.admin_view(self.import_job_confirm),
                name=f"{info}_import_job_confirm",
            ),
        ]
        return own + super().get_urls()

    def _changes_url_name(self):
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}_import_changes"

    def import_action(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):
            job = self._import_in_background(request)
            if job is not None:
                return redirect("portal:job_detail", pk=job.pk)
        response = super().import_action(request, **kwargs)
        result = getattr(response, "context_data", {}).get("result")
        changes = getattr(result, "changes", None)
        if changes is not None:
            url = reverse(f"admin:{self._changes_url_name()}", current_app=self.admin_site.name)
            response.context_data["changes"] = changes
            response.context_data["changes_url"] = f"{url}?token={changes.signed_token(request.user)}"
        return response

    def _import_in_background(self, request):
        """A valid upload of more than IMPORT_INLINE_MAX_ROWS rows: kept and previewed by a job.

        The file is read here first, so a file over a limit of portal.imports
        (or one that cannot be read) is refused on the page by the inline flow
        below, with nothing queued.
        """
        form = self.create_import_form(request)
        if not form.is_valid():
            return None
        upload = form.cleaned_data["import_file"]
        data = b"".join(upload.chunks())
        upload.seek(0)
        try:
            input_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
            dataset = input_format.create_dataset(data)
        except Exception:  # the inline flow reads it again and says what is wrong
            return None
        if len(dataset) <= settings.IMPORT_INLINE_MAX_ROWS:
            return None
        from portal.import_jobs import import_preview_start

        return import_preview_start(model_admin=self, request=request, form=form, data=data)

    def _import_job_or_404(self, request, pk):
        from portal.import_jobs import IMPORT_CONFIRM, IMPORT_PREVIEW
        from portal.jobs import job_visible_to
        from portal.models import Job

        job = Job.objects.filter(pk=pk, kind__in=(IMPORT_PREVIEW, IMPORT_CONFIRM)).first()
        if (
            job is None
            or job.params.get("model") != self.model._meta.label
            or not job_visible_to(request.user, job)
        ):
            raise Http404
        if not self.has_import_permission(request):
            raise Http404
        return job

    def import_job_view(self, request, pk):
        """A background import's result: the preview (and its confirm button), or what was imported."""
        from django.template.response import TemplateResponse

        from portal.import_changes import ImportChanges, signed_token
        from portal.import_jobs import IMPORT_CONFIRM
        from portal.models import Job

        job = self._import_job_or_404(request, pk)
        if job.status != Job.Status.DONE:
            return redirect("portal:job_detail", pk=job.pk)
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": _("导入"),
            "opts": opts,
            "job": job,
            "rows": job.params.get("rows") or (job.params.get("imported") or {}).get("rows", ""),
            "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            "import_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_import"),
        }
        if job.kind == IMPORT_CONFIRM:
            context["imported"] = job.params.get("imported") or {}
            context["changes"] = None
        else:
            page = job.params.get("changes")
            context.update(imported=None, changes=None, job_confirm_url=None)
            if page:
                changes = ImportChanges.from_page_data(page)
                url = reverse(f"admin:{self._changes_url_name()}", current_app=self.admin_site.name)
                context["changes"] = changes
                context["changes_url"] = f"{url}?token={signed_token(changes.token, request.user)}"
            if job.params.get("ok"):
                context["job_confirm_url"] = reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_import_job_confirm", args=[job.pk]
                )
        return TemplateResponse(request, "admin/portal/import_job.html", context)

    def import_job_confirm(self, request, pk):
        """Import a previewed upload in the background (once per preview)."""
        from portal.import_jobs import IMPORT_PREVIEW, import_confirm_start
        from portal.models import Job

        if request.method != "POST":
            return redirect(
                f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_import_job", pk=pk
            )
        preview = self._import_job_or_404(request, pk)
        if (
            preview.kind != IMPORT_PREVIEW
            or preview.status != Job.Status.DONE
            or not preview.params.get("ok")
        ):
            raise Http404
        job = import_confirm_start(preview=preview, request=request)
        return redirect("portal:job_detail", pk=job.pk)

    def import_changes_view(self, request):
        """Every change and error of the user's last previews, as a workbook."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        spool = spool_for(request.GET.get("token", ""), request.user)
        if spool is None:
            raise Http404
        name = _("%(sheet)s-导入预览-%(date)s.xlsx") % {
            "sheet": self.model._meta.verbose_name,
            "date": timezone.localdate().isoformat(),
        }
        return xlsx_response(workbook_bytes(changes_sheets(spool)), str(name))

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportRefused):
            form.add_error("import_file", e.message)
            return
        logger.warning("import file could not be read: %r", e)
        form.add_error(
            "import_file",
            _("无法读取这个文件。请确认选择的格式与文件一致（Excel 工作簿 .xlsx 或 CSV），且文件没有损坏。"),
        )

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            _("%(sheet)s导入完成：新增 %(new)s 行，更新 %(update)s 行，无变化 %(skip)s 行。")
            % {
                "sheet": self.model._meta.verbose_name_plural,
                "new": totals[RowResult.IMPORT_TYPE_NEW],
                "update": totals[RowResult.IMPORT_TYPE_UPDATE],
                "skip": totals[RowResult.IMPORT_TYPE_SKIP],
            },
        )

    def get_export_filename(self, request, queryset, file_format):
        """住户-2026-12-01.xlsx: the list's Chinese name and the local date."""
        name = _("%(sheet)s-%(date)s") % {
            "sheet": self.model._meta.verbose_name_plural,
            "date": timezone.localdate().isoformat(),
        }
        return f"{name}.{file_format.get_extension()}"

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        # A large export runs in the background (portal.exports); a small one comes back at once.
        if queryset.count() > settings.EXPORT_INLINE_MAX_ROWS:
            from portal.exports import admin_export_start

            job = admin_export_start(model_admin=self, request=request)
            return redirect("portal:job_detail", pk=job.pk)
        # import-export writes the file name raw into the header; a Chinese name
        # needs RFC 5987's filename*=UTF-8''… to reach the browser intact.
        response = super()._do_file_export(file_format, request, queryset, export_form=export_form)
        name = self.get_export_filename(request, queryset, file_format)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_data(self, file_format, request, queryset, **kwargs):
        # import-export asks for native dates and numbers only for its own XLSX
        # class (an exact type check); the portal's writer is binary too.
        if not self.has_export_permission(request):
            raise PermissionDenied
        data = self.get_data_for_export(
            request, queryset, force_native_type=file_format.is_binary(), **kwargs
        )
        export_data = file_format.export_data(data)
        encoding = kwargs.get("encoding")
        if not file_format.is_binary() and encoding:
            export_data = export_data.encode(encoding)
        return export_data
