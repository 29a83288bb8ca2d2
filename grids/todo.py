"""The red micro-grid in the to-do: open visit follow-ups and overdue vulnerable households."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from grids import selectors
from portal.scoping import scope_node
from portal.text import aside
from portal.todo import Item, provider, section


def _grid_page(viewer):
    node = scope_node(viewer.user)
    return reverse("grids:grid_detail", args=[node.code]) if node else reverse("grids:grid_list")


@provider(order=20)
def grid_work(viewer, rows):
    # A scope alone is not enough: a department's liaison login has one (the admin asks every account
    # for a scope) but no role that may read households or visits.
    if not viewer.has_scope:
        return
    if viewer.can("grids.view_visit"):
        yield from _follow_ups(viewer, rows)
    if viewer.can("grids.view_household"):
        yield from _overdue_households(viewer, rows)


def _follow_ups(viewer, rows):
    user = viewer.user
    yield section(
        "follow_ups",
        _("走访待跟进"),
        reverse("grids:visit_list") + "?pending=1",
        selectors.open_follow_ups(user),
        rows,
        lambda v: Item(
            label=f"{v.household} · {v.findings[:30]}",
            url=reverse("grids:visit_detail", args=[v.pk]),
            detail=v.grid.name,
            when=v.visited_at,
            when_label=_("走访"),
        ),
    )


def _overdue_households(viewer, rows):
    user = viewer.user
    yield section(
        "overdue_households",
        _("逾期未走访的困难户"),
        _grid_page(viewer),
        selectors.overdue_households_for(user, viewer.now),
        rows,
        lambda h: Item(
            label=f"{h.grid.name} · {h.address_label}",
            url=reverse("grids:household_detail", args=[h.pk]),
            detail=h.get_category_display()
            if h.last_visited_at
            else aside(h.get_category_display(), _("从未走访")),
            when=h.last_visited_at,
            when_label=_("上次走访"),
            late=True,
        ),
        late=True,
        hint=_("超过 %(days)s 天没有走访的困难户。") % {"days": settings.VISIT_OVERDUE_DAYS},
    )
