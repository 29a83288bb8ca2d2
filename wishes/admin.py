"""Wishes in the admin: for finding and reading. Every change of state goes
through the review pages and wishes.services, so status fields are read-only here."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.admin import (
    CommunityListFilter,
    DateRangeFilter,
    DistrictListMixin,
    PersonalDataAdminMixin,
    ReadOnlyAdminMixin,
    ScopedAdminMixin,
    ScopedInlineMixin,
)
from portal.privacy import mask_name, mask_phone
from wishes.models import Claim, Wish, WishEvent, WishFollower


class WishCommunityFilter(CommunityListFilter):
    """Wishes may hang on a community or a grid; the stored community decides."""

    community_lookup = "community_id"


class ReadOnlyInline(ReadOnlyAdminMixin, ScopedInlineMixin, admin.TabularInline):
    extra = 0


class WishEventInline(ReadOnlyInline):
    model = WishEvent
    fields = ("at", "kind", "actor", "note")
    readonly_fields = fields


class ClaimInline(ReadOnlyInline):
    model = Claim
    fields = ("slot_no", "volunteer", "team", "unit", "status", "claimed_at", "fulfilled_at", "rating")
    readonly_fields = fields
    show_change_link = True


class FollowerInline(ReadOnlyInline):
    model = WishFollower
    fields = ("masked_name", "masked_phone", "created_at")
    readonly_fields = fields

    @admin.display(description=_("姓名"))
    def masked_name(self, obj):
        return mask_name(obj.name)

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(Wish)
class WishAdmin(PersonalDataAdminMixin, DistrictListMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "code",
        "submitted_at",
        "community",
        "category",
        "short_text",
        "masked_name",
        "list_phone",
        "status",
        "claims_label",
        "priority",
        "wanted_by",
    )
    list_filter = (
        WishCommunityFilter,
        "status",
        "category",
        "priority",
        "is_shared",
        ("submitted_at", DateRangeFilter),
    )
    search_fields = ("code", "text", "public_text")
    list_select_related = ("community",)
    ordering = ("-submitted_at", "-id")  # the index wish_recent_idx
    inlines = [ClaimInline, WishEventInline, FollowerInline]
    fields = (
        "code",
        "review_link",
        "status",
        "grid",
        "community",
        "name",
        "phone",
        "address",
        "contact_consent",
        "category",
        "text",
        "public_text",
        "wanted_by",
        "slots",
        "claimed_count",
        "priority",
        "is_shared",
        "household",
        "household_category",
        "reject_reason",
        "issue_reported_at",
        "issue_note",
        "submitted_at",
        "submitted_by",
        "reviewed_at",
        "reviewed_by",
        "fulfilled_at",
        "finished_at",
        "overdue_at",
    )

    def get_readonly_fields(self, request, obj=None):
        # Personal fields stay in the form for staff who may see them, but read-only.
        names = [f for f in self.fields if f != "phone"] + ["phone"]
        return list(super().get_readonly_fields(request, obj)) + names

    def has_add_permission(self, request):
        return False  # wishes come in through the public form

    def has_delete_permission(self, request, obj=None):
        return False  # the resident's record and its history are kept

    @admin.display(description=_("内容"))
    def short_text(self, obj):
        return (obj.public_text or obj.text)[:30]

    @admin.display(description=_("姓名"))
    def masked_name(self, obj):
        return mask_name(obj.name)

    @admin.display(description=_("手机号"))
    def list_phone(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description=_("认领"))
    def claims_label(self, obj):
        return f"{obj.claimed_count}/{obj.slots}"

    @admin.display(description=_("审核页面"))
    def review_link(self, obj):
        url = reverse("wishes:review_detail", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("打开审核页面"))


@admin.register(Claim)
class ClaimAdmin(DistrictListMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "wish",
        "claimant_label",
        "status",
        "claimed_at",
        "fulfilled_at",
        "confirmed_at",
        "rating",
    )
    list_filter = ("status", ("claimed_at", DateRangeFilter))
    search_fields = ("wish__code", "volunteer__name", "team__name", "unit__name")
    list_select_related = ("wish", "volunteer", "team", "unit")
    ordering = ("-claimed_at", "-id")  # the index claim_recent_idx
    exclude = ("photo",)
    readonly_fields = (
        "wish",
        "volunteer",
        "team",
        "unit",
        "slot_no",
        "status",
        "claimed_by",
        "claimed_at",
        "withdrawn_at",
        "fulfilled_at",
        "fulfilment_note",
        "photo_link",
        "confirmed_at",
        "rating",
        "comment",
        "closed_at",
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("认领方"))
    def claimant_label(self, obj):
        return obj.claimant

    @admin.display(description=_("完成照片"))
    def photo_link(self, obj):
        if not obj.photo:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("wishes:claim_photo", args=[obj.pk]), _("查看照片"))
