import copy

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from care import services
from care.models import Pairing, Post, PostClaim, PostService
from portal.admin import CommunityListFilter, GridListFilter, ScopedAdminMixin


class PairingAdminForm(forms.ModelForm):
    """New pairings are checked by the service's own rule, each problem beside its field."""

    class Meta:
        model = Pairing
        fields = ("household", "partner_kind", "volunteer", "partner", "start_date", "end_date", "note")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "partner" in self.fields:
            self.fields["partner"].required = False
            self.fields["partner"].help_text = _("干部结对时选择其工作账号；党员和志愿者结对时留空。")

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and not self.errors:
            try:
                services.pairing_check(
                    actor=self.user,
                    household=data.get("household"),
                    partner_kind=data.get("partner_kind"),
                    volunteer=data.get("volunteer"),
                    partner=data.get("partner"),
                    start_date=data.get("start_date"),
                    end_date=data.get("end_date"),
                )
            except ValidationError as error:
                self.add_error(None, error)
        elif (
            self.instance.pk
            and data.get("end_date")
            and data.get("start_date")
            and data["end_date"] < data["start_date"]
        ):
            self.add_error("end_date", _("结束日期不能早于开始日期。"))
        return data

    def _post_clean(self):
        # The partner login is filled in by the service; the model's own checks run there.
        pass


class CurrentFilter(admin.SimpleListFilter):
    title = _("状态")
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", _("进行中")), ("no", _("已结束"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.current(today)
        if self.value() == "no":
            return queryset.filter(Q(end_date__lt=today) | Q(start_date__gt=today))
        return queryset


@admin.register(Pairing)
class PairingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Pairings in the user's scope. No phone or ID number is shown here: the household's
    own page masks and logs them (personal data, as for households)."""

    form = PairingAdminForm
    list_display = (
        "address",
        "head_name",
        "rainbow",
        "partner_label",
        "partner_kind",
        "start_date",
        "end_date",
        "last_contact",
        "grid",
    )
    list_filter = (CurrentFilter, CommunityListFilter, GridListFilter, "partner_kind")
    search_fields = (
        "household__head_name",
        "household__building__name",
        "volunteer__name",
        "partner__full_name",
    )
    list_select_related = ("household__building", "grid", "partner", "volunteer")
    autocomplete_fields = ("household", "volunteer", "partner")
    date_hierarchy = "start_date"
    show_full_result_count = False

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class FormWithUser(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return FormWithUser

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ("grid",)
        # Who is paired with whom stays; end this pairing and start another instead.
        return ("household", "partner_kind", "volunteer", "partner", "grid", "created_by", "created_at")

    def get_fields(self, request, obj=None):
        fields = ["household", "partner_kind", "volunteer", "partner", "start_date", "end_date", "note"]
        return fields if obj is None else [*fields, "grid", "created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.pairing_update(
                actor=request.user,
                pairing=obj,
                start_date=data["start_date"],
                end_date=data.get("end_date"),
                note=data.get("note", ""),
            )
            return
        saved = services.pairing_create(
            actor=request.user,
            household=data["household"],
            partner_kind=data["partner_kind"],
            volunteer=data.get("volunteer"),
            partner=data.get("partner"),
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
            note=data.get("note", ""),
        )
        for name in (
            "pk",
            "household",
            "grid",
            "partner",
            "volunteer",
            "partner_kind",
            "start_date",
            "end_date",
        ):
            setattr(obj, name, getattr(saved, name))

    def has_delete_permission(self, request, obj=None):
        return False  # a pairing that is over is ended, and its contacts stay

    @admin.display(description=_("住址"), ordering="household__building__name")
    def address(self, obj):
        return obj.household.address_label

    @admin.display(description=_("户主姓名"))
    def head_name(self, obj):
        return obj.household.head_name

    @admin.display(description=_("彩虹分类"), ordering="household__category")
    def rainbow(self, obj):
        return format_html(
            '<span class="rainbow" style="--c:{}">{}</span>',
            obj.household.colour,
            obj.household.get_category_display(),
        )

    @admin.display(description=_("结对人"))
    def partner_label(self, obj):
        return obj.partner_name

    @admin.display(description=_("最近联系"), ordering="household__last_visited_at")
    def last_contact(self, obj):
        return obj.household.last_visited_at or _("从未走访")


class PostAdminForm(forms.ModelForm):
    """Posts are checked by the service's own rules (scope, the building's community, places
    against the claims), each problem beside its field, before anything is saved."""

    class Meta:
        model = Post
        fields = ("community", "kind", "title", "duties", "place", "building", "capacity", "is_open")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        candidate = copy.copy(self.instance)
        for name, value in data.items():
            setattr(candidate, name, value)
        try:
            with transaction.atomic():
                services.post_save(post=candidate, actor=self.user)
                transaction.set_rollback(True)  # a dry run: the admin saves after the form
        except ValidationError as error:
            self.add_error(None, error)
        except PermissionDenied as error:
            self.add_error("community", str(error))
        return data

    def _post_clean(self):
        # The data goes onto the post; its checks ran in clean(), through the service.
        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)


@admin.register(Post)
class PostAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Posts (认岗) of the user's communities: party members claim them on their 认岗 page."""

    form = PostAdminForm
    list_display = ("title", "kind", "community", "place", "capacity", "claimed_count", "is_open")
    list_filter = ("is_open", "kind", CommunityListFilter)
    search_fields = ("title", "place")
    list_select_related = ("community",)
    autocomplete_fields = ("building",)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class FormWithUser(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return FormWithUser

    def save_model(self, request, obj, form, change):
        services.post_save(post=obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # a post no longer needed is closed; its claims and service stay


@admin.register(PostClaim)
class PostClaimAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Who holds which post: party members claim and step down on their own page."""

    list_display = ("volunteer", "post", "community", "claimed_at", "left_at")
    list_filter = (CommunityListFilter, "post__kind")
    search_fields = ("volunteer__name", "post__title")
    list_select_related = ("volunteer", "post", "community")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VerifiedFilter(admin.SimpleListFilter):
    title = _("核验")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("no", _("待核验")), ("yes", _("已核验"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(verified_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(verified_at__isnull=False)
        return queryset


@admin.register(PostService)
class PostServiceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Service recorded on posts; verifying it books its hours as points (the ledger)."""

    list_display = ("served_on", "member", "post", "hours", "content", "community", "verified_at")
    list_filter = (VerifiedFilter, CommunityListFilter)
    search_fields = ("claim__volunteer__name", "claim__post__title", "content")
    list_select_related = ("claim__volunteer", "claim__post", "community")
    actions = ("verify",)
    date_hierarchy = "served_on"

    @admin.display(description=_("党员"), ordering="claim__volunteer__name")
    def member(self, obj):
        return obj.claim.volunteer.name

    @admin.display(description=_("岗位"))
    def post(self, obj):
        return obj.claim.post.title

    @admin.action(description=_("核验所选服务并计入积分"), permissions=["change"])
    def verify(self, request, queryset):
        done = 0
        for service in queryset.filter(verified_at__isnull=True):
            try:
                services.post_service_verify(service=service, actor=request.user)
            except (ValidationError, PermissionDenied):
                continue
            done += 1
        self.message_user(request, _("已核验 %(n)s 条服务记录，时长已计入积分。") % {"n": done})

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Only through the verify action: the member's own record is not edited here.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
