import copy

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import construct_instance
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from deliberation import services
from deliberation.models import Resolution, Session, Topic, Vote
from portal.admin import CommunityListFilter, ScopedAdminMixin


class ServiceCheckedForm(forms.ModelForm):
    """A form whose new object is checked by its service (a dry run) before the admin saves it."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def dry_run(self, data):
        raise NotImplementedError

    def dry_run_change(self, data):
        """Check a change to a stored object; nothing is checked by default."""

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            with transaction.atomic():
                if self.instance.pk:
                    self.dry_run_change(data)
                else:
                    self.dry_run(data)
                transaction.set_rollback(True)
        except ValidationError as error:
            self.add_error(None, error)
        except PermissionDenied as error:
            self.add_error(None, str(error))
        return data

    def _post_clean(self):
        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)


class _WithUser:
    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class FormWithUser(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return FormWithUser


@admin.register(Topic)
class TopicAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Topics of the scope; they are raised on the form and vetted on their page (审核)."""

    list_display = ("title", "community", "source", "status", "created_at", "page")
    list_filter = ("status", "source", CommunityListFilter)
    search_fields = ("title", "code")
    list_select_related = ("community",)
    fields = (
        "title",
        "description",
        "community",
        "grid",
        "source",
        "status",
        "vet_reason",
        "vetted_by",
        "vetted_at",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=_("议题页"))
    def page(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("deliberation:topic_detail", args=[obj.pk]), _("打开")
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SessionAdminForm(ServiceCheckedForm):
    class Meta:
        model = Session
        fields = (
            "topic",
            "kind",
            "held_at",
            "place",
            "representatives",
            "building_leaders",
            "party_members",
            "unit_liaisons",
            "deputies",
            "record",
            "vote_question",
        )

    def dry_run(self, data):
        services.session_hold(by=self.user, **data)

    def dry_run_change(self, data):
        candidate = copy.copy(self.instance)
        for name, value in data.items():
            setattr(candidate, name, value)
        services.session_update(by=self.user, session=candidate)


@admin.register(Session)
class SessionAdmin(_WithUser, ScopedAdminMixin, admin.ModelAdmin):
    """Sessions (议事会) on accepted topics; a question opens a vote of one ballot per household."""

    form = SessionAdminForm
    list_display = ("topic", "kind", "held_at", "place", "attendance_total", "vote_question", "vote_open")
    list_filter = ("kind", "vote_open", CommunityListFilter)
    search_fields = ("topic__title", "place")
    list_select_related = ("topic",)
    date_hierarchy = "held_at"

    @admin.display(description=_("参加人数"))
    def attendance_total(self, obj):
        return obj.attendance

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "topic":
            kwargs["queryset"] = Topic.objects.filter(
                status__in=[Topic.Status.ACCEPTED, Topic.Status.RESOLVED]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ("topic", "kind", "held_at", "vote_question") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            services.session_update(by=request.user, session=obj)
            return
        saved = services.session_hold(by=request.user, **form.cleaned_data)
        obj.pk, obj.community_id = saved.pk, saved.community_id

    def has_delete_permission(self, request, obj=None):
        return False


class ResolutionAdminForm(ServiceCheckedForm):
    class Meta:
        model = Resolution
        fields = ("topic", "session", "text", "owner", "due_date")

    def dry_run(self, data):
        services.resolution_add(by=self.user, **data)


@admin.register(Resolution)
class ResolutionAdmin(_WithUser, ScopedAdminMixin, admin.ModelAdmin):
    """Resolutions with their owner and due date; owners report progress on their own page."""

    form = ResolutionAdminForm
    list_display = ("text", "topic", "owner", "due_date", "status", "progress", "case")
    list_filter = ("status", CommunityListFilter)
    search_fields = ("text", "topic__title")
    list_select_related = ("topic", "owner", "case")
    autocomplete_fields = ("owner",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "topic":
            kwargs["queryset"] = Topic.objects.filter(
                status__in=[Topic.Status.ACCEPTED, Topic.Status.RESOLVED]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "topic",
            "session",
            "text",
            "owner",
            "due_date",
            "status",
            "progress",
            "progress_at",
            "done_at",
            "case",
        )

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing is editable here once recorded
        saved = services.resolution_add(by=request.user, **form.cleaned_data)
        obj.pk, obj.community_id = saved.pk, saved.community_id

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Vote)
class VoteAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Ballots, read only: who voted is the household, never a name."""

    list_display = ("session", "household", "choice", "via", "cast_at")
    list_filter = ("choice", "via")
    list_select_related = ("session__topic", "household__building")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
