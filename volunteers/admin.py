from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from grids.models import Grid
from portal.admin import (
    CommunityListFilter,
    DateRangeFilter,
    DistrictListMixin,
    ImportExportScopedMixin,
    PersonalDataAdminMixin,
    ReadOnlyAdminMixin,
    ScopedAdminMixin,
)
from portal.models import User
from portal.privacy import ADMIN, mask_id_number, mask_phone
from portal.text import aside, labelled
from volunteers import services
from volunteers.forms import ExportMappingForm
from volunteers.models import (
    Activity,
    DualReport,
    ExportMapping,
    ServiceRecord,
    ServiceStatement,
    SignUp,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
)
from volunteers.resources import DualReportResource


class NodeCommunityFilter(CommunityListFilter):
    """Communities in the user's scope, for models whose scope_field is the community itself."""

    parameter_name = "in_community"
    community_lookup = "{scope_field}_id"


@admin.register(VolunteerTeam)
class VolunteerTeamAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "community", "leader", "member_count", "recruiting")
    list_filter = (NodeCommunityFilter, "kind", "recruiting")
    search_fields = ("name",)
    list_select_related = ("community", "leader")
    autocomplete_fields = ("leader",)

    def get_queryset(self, request):
        active = Q(memberships__status=TeamMembership.Status.ACTIVE)
        return super().get_queryset(request).annotate(members=Count("memberships", filter=active))

    @admin.display(description=_("队员"), ordering="members")
    def member_count(self, obj):
        return obj.members


class VolunteerAdminForm(forms.ModelForm):
    """The login is named by its username.

    Volunteers' logins have no staff scope, so the scoped user list would not
    offer them (and would drop an existing link on save); a username typed in
    is checked here instead.
    """

    username = forms.CharField(
        label=_("登录账号"),
        required=False,
        max_length=150,
        help_text=_("志愿者用来登录的账号名，可留空。工作人员账号不能关联。"),
    )

    class Meta:
        model = Volunteer
        fields = (
            "name",
            "gender",
            "phone",
            "id_type",
            "id_number",
            "community",
            "skills",
            "is_party_member",
            "party_organisation",
            "work_unit",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.user_id:
            self.fields["username"].initial = self.instance.user.get_username()

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise ValidationError(_("没有账号“%(name)s”。") % {"name": username})
        if user.is_superuser or hasattr(user, "staff_profile"):
            raise ValidationError(_("工作人员账号不能关联为志愿者。"))
        taken = Volunteer.objects.filter(user=user).exclude(pk=self.instance.pk).first()
        if taken is not None:
            raise ValidationError(
                _("账号“%(name)s”已关联志愿者 %(number)s。") % {"name": username, "number": taken.number}
            )
        return user

    def save(self, commit=True):
        self.instance.user = self.cleaned_data.get("username")
        return super().save(commit)


@admin.register(Volunteer)
class VolunteerAdmin(PersonalDataAdminMixin, DistrictListMixin, ScopedAdminMixin, admin.ModelAdmin):
    form = VolunteerAdminForm
    list_display = (
        "name",
        "number",
        "gender",
        "list_phone",
        "list_id_number",
        "community",
        "is_party_member",
        "work_unit",
        "user",
    )
    list_filter = (NodeCommunityFilter, "is_party_member", "gender")
    search_fields = ("name", "number", "work_unit", "skills", "user__username")
    list_select_related = ("community", "user")
    readonly_fields = ("number", "statement_link")
    fields = (
        "number",
        "name",
        "gender",
        "phone",
        "id_type",
        "id_number",
        "community",
        "skills",
        "is_party_member",
        "party_organisation",
        "work_unit",
        "username",
        "statement_link",
    )

    def save_model(self, request, obj, form, change):
        services.volunteer_save(
            volunteer=obj, actor=request.user, via=ADMIN, changed_fields=form.changed_data
        )

    @admin.display(description=_("手机号"))
    def list_phone(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description=_("证件号码"))
    def list_id_number(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description=_("服务记录"))
    def statement_link(self, obj):
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("volunteers:volunteer_statement", args=[obj.pk]),
            _("出具服务记录（PDF）"),
        )


@admin.register(TeamMembership)
class TeamMembershipAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("volunteer", "team", "status", "applied_at", "decided_at", "decided_by")
    list_filter = ("status",)
    search_fields = ("volunteer__name", "team__name")
    list_select_related = ("volunteer", "team", "decided_by")
    ordering = ("-applied_at", "-id")  # newest first; the model's order sorts on volunteers' names
    autocomplete_fields = ("volunteer", "team")
    readonly_fields = ("decided_at", "decided_by", "left_at")


@admin.register(DualReport)
class DualReportAdmin(ImportExportScopedMixin, DistrictListMixin, ScopedAdminMixin, ImportExportModelAdmin):
    resource_classes = [DualReportResource]
    list_display = ("volunteer", "community", "work_unit", "reported_on", "status")
    list_filter = (NodeCommunityFilter, "status", ("reported_on", DateRangeFilter))
    search_fields = ("volunteer__name", "volunteer__number", "work_unit")
    list_select_related = ("volunteer", "community")
    ordering = ("-reported_on", "-id")  # the model's order sorts on volunteers' names
    autocomplete_fields = ("volunteer",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "community":
            kwargs["queryset"] = Grid.objects.filter(kind=Grid.Kind.COMMUNITY)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SignUpInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SignUp
    extra = 0
    fields = ("volunteer", "status", "signed_up_at", "cancelled_at")
    readonly_fields = fields


@admin.register(Activity)
class ActivityAdmin(DistrictListMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "team",
        "community",
        "category",
        "starts_at",
        "places",
        "status",
        "organise_link",
    )
    list_filter = (NodeCommunityFilter, "category", "status", ("starts_at", DateRangeFilter))
    search_fields = ("title", "place", "team__name")
    list_select_related = ("team", "community")
    autocomplete_fields = ("team",)
    readonly_fields = ("signed_up_count", "created_by", "created_at")
    inlines = [SignUpInline]

    def has_delete_permission(self, request, obj=None):
        return False  # records and sign-ups hang on it; cancel instead

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("报名/名额"))
    def places(self, obj):
        return f"{obj.signed_up_count}/{obj.capacity}"

    @admin.display(description=_("签到与核验"))
    def organise_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("volunteers:attendance", args=[obj.pk]), _("打开"))


@admin.register(SignUp)
class SignUpAdmin(ReadOnlyAdminMixin, DistrictListMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("volunteer", "activity", "status", "signed_up_at", "cancelled_at")
    list_filter = ("status",)
    search_fields = ("volunteer__name", "activity__title")
    list_select_related = ("volunteer", "activity")
    ordering = ("-signed_up_at", "-id")  # newest first: the index signup_recent_idx


@admin.action(description=_("核验所选记录"))
def verify_records(modeladmin, request, queryset):
    done, refused = 0, []
    for record in queryset.select_related("activity__team", "activity__community", "volunteer"):
        try:
            services.service_record_verify(record=record, user=request.user)
        except (ValidationError, PermissionDenied) as error:
            reason = " ".join(getattr(error, "messages", [])) or _("无权核验")
            refused.append(labelled(aside(record.volunteer, record.activity), reason))
        else:
            done += 1
    if done:
        modeladmin.message_user(request, _("已核验 %(n)s 条记录。") % {"n": done}, messages.SUCCESS)
    for line in refused[:20]:
        modeladmin.message_user(request, line, messages.ERROR)


@admin.register(ServiceRecord)
class ServiceRecordAdmin(DistrictListMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "volunteer",
        "activity",
        "service_date",
        "hours",
        "attendance",
        "source",
        "verified_state",
        "verified_by",
    )
    list_filter = (
        NodeCommunityFilter,
        "attendance",
        "source",
        ("verified_at", admin.EmptyFieldListFilter),
        ("service_date", DateRangeFilter),
    )
    search_fields = ("volunteer__name", "volunteer__number", "activity__title")
    list_select_related = ("volunteer", "activity", "verified_by")
    # Newest first, from the index record_recent_idx; the model's own order
    # sorts on the volunteer's name, a column of another table.
    ordering = ("-service_date", "-id")
    actions = [verify_records]

    def has_add_permission(self, request):
        return False  # 补录 goes through the organiser page, which checks hours and scope

    def has_change_permission(self, request, obj=None):
        # The list keeps its verify action; a record's page is read-only.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("核验"), boolean=True)
    def verified_state(self, obj):
        return obj.is_verified


@admin.register(ServiceStatement)
class ServiceStatementAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "serial",
        "volunteer",
        "period_from",
        "period_to",
        "records",
        "hours",
        "issued_by",
        "issued_at",
    )
    search_fields = ("serial", "volunteer__name", "volunteer__number")
    list_select_related = ("volunteer", "issued_by")


@admin.register(ExportMapping)
class ExportMappingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = ExportMappingForm
    list_display = ("name", "owner", "column_count")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["queryset"] = Grid.objects.exclude(kind=Grid.Kind.GRID)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("列数"))
    def column_count(self, obj):
        return len(obj.columns)
