from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from care import services
from care.models import Pairing
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
