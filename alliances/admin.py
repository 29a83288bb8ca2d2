from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from alliances import services
from alliances.models import (
    Alliance,
    ChairTerm,
    JointMeeting,
    MeetingAttendance,
    MeetingProblem,
    Membership,
    MemberUnit,
    Need,
    NeedOffer,
    NeedStatusChange,
    Project,
    ProjectStatusChange,
    ProjectUpdate,
    Resource,
)
from alliances.resources import MemberUnitResource, NeedResource, ResourceResource
from grids.models import Grid
from portal.admin import (
    CommunityListFilter,
    ImportExportScopedMixin,
    ReadOnlyAdminMixin,
    ScopedAdminMixin,
    ScopedInlineMixin,
    page_link,
)
from portal.roles import Role
from portal.scoping import scope_queryset
from portal.text import join_list


class PlaceFilter(CommunityListFilter):
    """The communities in the user's scope; a row matches through its community node."""

    parameter_name = "place"
    community_lookup = "community_id"


class UnitPlaceFilter(PlaceFilter):
    community_lookup = "grid_id"


class ResourceUnitPlaceFilter(PlaceFilter):
    community_lookup = "unit__grid_id"


def liaison_candidates(user):
    """Accounts staff may make a unit's liaison: liaison logins not tied to units outside their scope."""
    User = get_user_model()
    outside = MemberUnit.objects.exclude(pk__in=scope_queryset(MemberUnit.objects.all(), user).values("pk"))
    return (
        User.objects.filter(groups__name=Role.UNIT_LIAISON, is_superuser=False)
        .filter(
            Q(staff_profile__isnull=True) | Q(pk__in=scope_queryset(User.objects.all(), user).values("pk"))
        )
        .exclude(liaison_units__in=outside)
        .distinct()
        .order_by("username")
    )


@admin.register(MemberUnit)
class MemberUnitAdmin(ImportExportScopedMixin, ScopedAdminMixin, ImportExportModelAdmin):
    resource_classes = [MemberUnitResource]
    list_display = ("name", "kind", "grid", "party_organisation", "liaison_list", "page")
    list_filter = ("kind", UnitPlaceFilter)
    search_fields = ("name", "party_organisation", "address", "liaisons__username")
    list_select_related = ("grid",)
    filter_horizontal = ("liaisons",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("liaisons")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "grid":
            kwargs["queryset"] = Grid.objects.filter(kind__in=[Grid.Kind.STREET, Grid.Kind.COMMUNITY])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "liaisons":
            # Liaison logins have no grid scope, so the scoped user list would hide them.
            field = admin.ModelAdmin.formfield_for_manytomany(self, db_field, request, **kwargs)
            field.queryset = liaison_candidates(request.user)
            return field
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.unit_set_liaisons(unit=form.instance, users=list(form.instance.liaisons.all()))

    @admin.display(description=_("联络员"))
    def liaison_list(self, obj):
        return join_list(u.username for u in obj.liaisons.all()) or "—"

    @admin.display(description=_("单位页面"))
    def page(self, obj):
        return page_link(reverse("alliances:unit_detail", args=[obj.pk]))


class AllianceLevelFilter(admin.SimpleListFilter):
    title = _("层级")
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return [(Grid.Kind.STREET, _("区域党建联盟")), (Grid.Kind.COMMUNITY, _("区域化党委委员会"))]

    def queryset(self, request, queryset):
        if self.value() in (Grid.Kind.STREET, Grid.Kind.COMMUNITY):
            return queryset.filter(grid__kind=self.value())
        return queryset


class MembershipInline(ScopedInlineMixin, admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("unit", "joined_on", "left_on", "covenant_signed_on")
    autocomplete_fields = ("unit",)


@admin.register(Alliance)
class AllianceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    inlines = [MembershipInline]
    list_display = ("name", "grid", "level", "founded_on", "member_count", "page")
    list_filter = (AllianceLevelFilter,)
    ordering = ("grid__tree_id", "grid__lft")
    search_fields = ("name", "grid__name")
    list_select_related = ("grid",)
    fields = ("name", "grid", "founded_on", "covenant", "covenant_updated_on")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "grid":
            kwargs["queryset"] = Grid.objects.filter(kind__in=[Grid.Kind.STREET, Grid.Kind.COMMUNITY])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        try:
            moved = services.chair_schedule_repair(alliance=form.instance)
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
        else:
            if moved:
                messages.info(request, _("成员变化后，已重新安排 %(n)s 个月的轮值主席。") % {"n": moved})

    @admin.display(description=_("层级"))
    def level(self, obj):
        return obj.level_label

    def get_queryset(self, request):
        current = Count("memberships", filter=Q(memberships__left_on__isnull=True))
        return super().get_queryset(request).annotate(current_members=current)

    @admin.display(description=_("成员单位"), ordering="current_members")
    def member_count(self, obj):
        return obj.current_members

    @admin.display(description=_("联盟页面"))
    def page(self, obj):
        return page_link(reverse("alliances:alliance_detail", args=[obj.pk]))


@admin.register(ChairTerm)
class ChairTermAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Read-only here: the schedule is generated and swapped on the alliance page, under its rules."""

    list_display = ("month_label", "alliance", "unit")
    list_filter = (("alliance", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("alliance", "unit")
    date_hierarchy = "month"

    @admin.display(description=_("月份"), ordering="month")
    def month_label(self, obj):
        return f"{obj.month:%Y-%m}"


@admin.register(Resource)
class ResourceAdmin(ImportExportScopedMixin, ScopedAdminMixin, ImportExportModelAdmin):
    resource_classes = [ResourceResource]
    list_display = ("title", "unit", "kind", "quantity_label", "community", "available_until", "is_active")
    list_filter = ("kind", "is_active", ResourceUnitPlaceFilter)
    search_fields = ("title", "unit__name", "description")
    list_select_related = ("unit", "community")
    autocomplete_fields = ("unit",)

    @admin.display(description=_("数量"))
    def quantity_label(self, obj):
        return obj.quantity_label


class NeedStatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = NeedStatusChange
    extra = 0
    fields = ("changed_at", "from_status", "to_status", "changed_by", "note")
    readonly_fields = fields


class NeedOfferInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Units' offers on the need; confirmed or declined on the need's page."""

    model = NeedOffer
    extra = 0
    fields = (
        "unit",
        "resource",
        "note",
        "status",
        "offered_by",
        "offered_at",
        "decided_by",
        "decline_reason",
    )
    readonly_fields = fields


@admin.register(Need)
class NeedAdmin(ImportExportScopedMixin, ScopedAdminMixin, ImportExportModelAdmin):
    resource_classes = [NeedResource]
    inlines = [NeedOfferInline, NeedStatusChangeInline]

    def get_inlines(self, request, obj):
        # A need being added has no offers yet (and the add form posts no formset for them).
        return self.inlines if obj is not None else [NeedStatusChangeInline]

    list_display = ("title", "community", "kind", "priority", "status", "raised_on", "wanted_by", "page")
    list_filter = ("status", "priority", "kind", PlaceFilter)
    search_fields = ("title", "description")
    list_select_related = ("community",)
    readonly_fields = ("status", "matched_at", "closed_at", "close_reason")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "community":
            kwargs["queryset"] = Grid.objects.filter(kind=Grid.Kind.COMMUNITY)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            services.need_create(need=obj, actor=request.user, note=_("登记需求"))

    @admin.display(description=_("匹配"))
    def page(self, obj):
        return page_link(reverse("alliances:need_detail", args=[obj.pk]), _("匹配资源"))


class ProjectStatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ProjectStatusChange
    extra = 0
    fields = ("changed_at", "from_status", "to_status", "changed_by", "note")
    readonly_fields = fields


@admin.register(Project)
class ProjectAdmin(ScopedAdminMixin, admin.ModelAdmin):
    inlines = [ProjectStatusChangeInline]
    list_display = (
        "title",
        "alliance",
        "community",
        "lead_unit",
        "status",
        "progress",
        "start_on",
        "end_on",
        "page",
    )
    list_filter = ("status", ("alliance", admin.RelatedOnlyFieldListFilter), PlaceFilter)
    search_fields = ("title", "lead_unit__name", "description")
    list_select_related = ("alliance", "community", "lead_unit")
    autocomplete_fields = ("lead_unit", "need", "resource")
    filter_horizontal = ("partner_units",)
    readonly_fields = ("status", "progress_percent", "completed_at")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "community":
            kwargs["queryset"] = Grid.objects.filter(kind=Grid.Kind.COMMUNITY)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            services.project_create(project=obj, actor=request.user, note=_("在管理后台创建"))

    @admin.display(description=_("进度"), ordering="progress_percent")
    def progress(self, obj):
        return f"{obj.progress_percent}%"

    @admin.display(description=_("项目页面"))
    def page(self, obj):
        return page_link(reverse("alliances:project_detail", args=[obj.pk]))


class AttendanceInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = MeetingAttendance
    extra = 0
    fields = ("unit", "status", "attendee")
    readonly_fields = fields


class ProblemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = MeetingProblem
    extra = 0
    fields = ("description", "owner_unit", "owner_name", "due_on", "status")
    readonly_fields = fields
    show_change_link = True


@admin.register(JointMeeting)
class JointMeetingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Meetings are scheduled and recorded on their pages; here the texts can be corrected."""

    inlines = [AttendanceInline, ProblemInline]
    list_display = ("title", "alliance", "held_at", "chair_unit", "status", "page")
    list_filter = ("status", ("alliance", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "agenda", "minutes")
    list_select_related = ("alliance", "chair_unit")
    date_hierarchy = "held_at"
    fields = ("title", "alliance", "held_at", "place", "chair_unit", "status", "agenda", "minutes")
    readonly_fields = ("alliance", "held_at", "chair_unit", "status")

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("会议页面"))
    def page(self, obj):
        return page_link(reverse("alliances:meeting_detail", args=[obj.pk]))


@admin.register(MeetingProblem)
class MeetingProblemAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("short", "meeting", "owner_unit", "owner_name", "due_on", "status", "resolved_at")
    list_filter = ("status",)
    search_fields = ("description", "owner_name", "owner_unit__name")
    list_select_related = ("meeting", "owner_unit")
    fields = ("meeting", "description", "raised_by_unit", "owner_unit", "owner_name", "due_on", "status")
    readonly_fields = ("meeting", "status")
    autocomplete_fields = ("raised_by_unit", "owner_unit")

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("问题"))
    def short(self, obj):
        return str(obj)


# Updates are posted on the project page; the admin lists them for reference.
@admin.register(ProjectUpdate)
class ProjectUpdateAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("project", "unit", "posted_by", "posted_at", "progress_percent")
    list_select_related = ("project", "unit", "posted_by")
    search_fields = ("project__title", "text")
    date_hierarchy = "posted_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
