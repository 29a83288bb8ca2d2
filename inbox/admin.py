from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from inbox.models import Delivery, Digest, Notification, Preference, SendStatus
from portal.admin import DateRangeFilter, DistrictListMixin, ReadOnlyAdminMixin, ScopedAdminMixin
from portal.privacy import can_view_personal_data, mask_phone


def _masked(request, value):
    if "@" in value or can_view_personal_data(request.user):
        return value
    return mask_phone(value)


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ("channel", "status", "attempts", "not_before", "sent_at", "error")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, DistrictListMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "who", "title_text", "read_at")
    list_filter = ("kind", ("created_at", DateRangeFilter))
    fields = ("created_at", "kind", "who", "title_text", "body_text", "link", "read_at")
    readonly_fields = fields
    inlines = [DeliveryInline]

    def get_queryset(self, request):
        self._request = request
        return super().get_queryset(request).select_related("recipient")

    @admin.display(description=_("接收人"))
    def who(self, obj):
        return obj.recipient or _masked(self._request, obj.phone)

    @admin.display(description=_("标题"))
    def title_text(self, obj):
        return obj.title

    @admin.display(description=_("内容"))
    def body_text(self, obj):
        return obj.body


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, DistrictListMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "channel", "status", "masked_address", "attempts", "sent_at", "error")
    list_filter = ("status", "channel", ("created_at", DateRangeFilter))
    actions = ["retry"]

    def get_queryset(self, request):
        self._request = request
        return super().get_queryset(request)

    @admin.display(description=_("地址"))
    def masked_address(self, obj):
        return _masked(self._request, obj.address)

    def has_change_permission(self, request, obj=None):
        # For the retry action only; the form itself stays read-only.
        return request.user.has_perm("inbox.change_delivery")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    @admin.action(description=_("重新发送所选的失败消息"), permissions=["change"])
    def retry(self, request, queryset):
        # A failure marked "unknown" may have reached the person: staff decide.
        changed = queryset.filter(status=SendStatus.FAILED).update(status=SendStatus.PENDING, not_before=None)
        messages.success(request, _("已重新排队 %(n)s 条，几分钟内发送。") % {"n": changed})


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("day", "user", "content", "channel", "status", "sent_at")
    list_filter = ("status", "content", "channel")
    exclude = ("address",)


@admin.register(Preference)
class PreferenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "email", "sms", "digest", "digest_hour", "quiet_start", "quiet_end")
    search_fields = ("user__username", "user__full_name")
