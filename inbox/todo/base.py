"""The to-do's building blocks: who is asking, a section of things owed, and the providers.

A provider is a function `(viewer, rows)` that yields `Section`s for the
things one app's data says the viewer owes next. It reads only through that
app's selectors, so the rule of what is "open" or "overdue" lives with the
data. `rows` is how many items to list per section; 0 means counts only
(the top bar). Each section costs one query whatever the data: the count and
the first rows come together (a window count), so the page's queries stay
fixed at district scale.
"""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Window
from django.utils import timezone

from portal.roles import Role, has_role, works_in_admin
from portal.scoping import EVERYTHING, NOTHING, scope_of

PROVIDERS = []


def provider(order):
    """Register a provider; `order` places its sections on the page (lower first)."""

    def register(function):
        function.order = order
        PROVIDERS.append(function)
        PROVIDERS.sort(key=lambda f: f.order)
        return function

    return register


@dataclass
class Item:
    label: str
    url: str
    detail: str = ""
    when: object = None
    late: bool = False


@dataclass
class Section:
    key: str
    title: str
    count: int
    url: str
    items: list = field(default_factory=list)
    late: bool = False
    hint: str = ""

    @property
    def more(self):
        return max(self.count - len(self.items), 0)


@dataclass
class Board:
    sections: list

    @property
    def total(self):
        return sum(section.count for section in self.sections)


class Viewer:
    """The user asking, with what every provider needs to know about them, read once."""

    def __init__(self, user, now=None):
        self.user = user
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)

    @cached_property
    def scope(self):
        return scope_of(self.user)

    @cached_property
    def has_scope(self):
        return self.scope is not NOTHING

    @cached_property
    def admin(self):
        """Street staff, secretaries and superusers."""
        return works_in_admin(self.user)

    @cached_property
    def street_level(self):
        """Street staff (a street as scope) or a superuser: sees what is overdue anywhere in the street."""
        if self.scope is EVERYTHING:
            return True
        return has_role(self.user, Role.STREET_STAFF) and self.has_scope

    @cached_property
    def grid_worker(self):
        return has_role(self.user, Role.GRID_WORKER)

    @cached_property
    def volunteer(self):
        from volunteers.permissions import volunteer_of

        return volunteer_of(self.user)

    @cached_property
    def claimants(self):
        from wishes.selectors import claimants_for

        return claimants_for(self.user)

    @cached_property
    def unit_ids(self):
        from alliances.access import liaison_unit_ids

        return sorted(liaison_unit_ids(self.user))

    def can(self, permission):
        return self.user.has_perm(permission)

    @cached_property
    def last_month(self):
        first = self.today.replace(day=1)
        return (first - datetime.timedelta(days=1)).replace(day=1)


def head(queryset, rows):
    """(first `rows` rows, total count) in one query; the count alone when rows is 0."""
    if rows <= 0:
        return [], queryset.count()
    found = list(queryset.annotate(todo_total=Window(expression=Count("pk")))[:rows])
    return found, (found[0].todo_total if found else 0)


def section(key, title, url, queryset, rows, to_item, *, late=False, hint=""):
    """A section from a queryset: None when there is nothing to do."""
    found, count = head(queryset, rows)
    if not count:
        return None
    return Section(
        key=key,
        title=str(title),
        count=count,
        url=url,
        items=[to_item(r) for r in found],
        late=late,
        hint=str(hint),
    )
