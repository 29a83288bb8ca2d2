"""List filters that follow the user's scope: communities and grids."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.scoping import grid_model, scope_queryset


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
