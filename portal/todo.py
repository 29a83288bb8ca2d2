"""The to-do protocol: how an app says what a person owes it next.

An app with work for people has a `todo.py` holding providers: functions
`(viewer, rows)`, registered with `@provider(order)`, that yield `Section`s of
what that app's data says the viewer owes, each item linked to the page where
it is done. A provider reads through its own app's selectors, so the rule of
what is "open" or "overdue" lives with the data. `rows` is how many items to
list per section; 0 means counts only (the top bar). All of a person's
sections are counted in one query, and each with something to list costs two
small queries for its first rows, whatever the amount of data, so a to-do's
queries stay fixed at district scale.

The inbox collects every installed app's providers (`providers()`, the way
`sync_roles` collects roles.py) and shows them as 我的待办; no app imports
the inbox, and adding an app's to-do is one module in that app.
"""

import datetime
from dataclasses import dataclass, field
from functools import cached_property
from importlib import import_module

from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from portal.roles import Role, has_role, works_in_admin
from portal.scoping import EVERYTHING, NOTHING, scope_of

_PROVIDERS = []
_DISCOVERED = []


def provider(order):
    """Register a provider; `order` places its sections on the page (lower first)."""

    def register(function):
        function.order = order
        _PROVIDERS.append(function)
        _PROVIDERS.sort(key=lambda f: f.order)
        return function

    return register


def providers():
    """Every installed app's providers, in page order (each app's todo.py imported once)."""
    if not _DISCOVERED:
        for app_config in apps.get_app_configs():
            if module_has_submodule(app_config.module, "todo"):
                import_module(f"{app_config.name}.todo")
        _DISCOVERED.append(True)
    return list(_PROVIDERS)


@dataclass
class Item:
    label: str
    url: str
    detail: str = ""
    when: object = None  # a date or datetime, shown beside the item …
    when_label: str = ""  # … with what it is: "期限", "提交", "开始"
    late: bool = False

    def __post_init__(self):
        # Finished words (not lazy ones), so a board can be kept in the cache.
        self.label, self.detail, self.when_label = str(self.label), str(self.detail), str(self.when_label)


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
    """The user asking, with what every provider needs to know about them, read once.

    Apps keep what only they know about the user (a volunteer record, the
    units they liaise for) with `memo`, so two providers ask once.
    """

    def __init__(self, user, now=None):
        self.user = user
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self._memo = {}

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

    def memo(self, key, compute):
        """A value several providers need (the user's volunteer record, say), computed once."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def can(self, permission):
        return self.user.has_perm(permission)

    @cached_property
    def last_month(self):
        first = self.today.replace(day=1)
        return (first - datetime.timedelta(days=1)).replace(day=1)


@dataclass
class Pending:
    """A section a provider asked for, counted and listed later with every other one."""

    key: str
    title: str
    url: str
    queryset: object
    to_item: object
    late: bool = False
    hint: str = ""


def section(key, title, url, queryset, rows, to_item, *, late=False, hint=""):
    """A section of a provider: the things `queryset` lists, each shown with `to_item(row)`.

    Nothing runs yet: `resolve` counts every pending section of a person in
    one query, then lists the first `rows` of those that have any.
    """
    return Pending(
        key=key, title=str(title), url=url, queryset=queryset, to_item=to_item, late=late, hint=str(hint)
    )


def count_all(querysets):
    """The number of rows of each queryset, in one round trip (a SELECT of scalar subqueries)."""
    parts, params, empty = [], [], set()
    for index, queryset in enumerate(querysets):
        try:
            sql, part_params = queryset.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # a .none(): nothing to count
            empty.add(index)
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS todo_{index})")
        params.extend(part_params)
    numbers = []
    if parts:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            numbers = list(cursor.fetchone())
    found = iter(numbers)
    return [0 if index in empty else next(found) for index in range(len(querysets))]


def first_rows(queryset, rows):
    """The first `rows` rows, joined to what they show only once they are picked.

    The keys come from a narrow query that can stop early on an index; then
    just those rows with their related rows. A single query joining every open
    item to its household, building and grid only to keep five costs more to
    plan than to run.
    """
    keys = list(queryset.select_related(None).values_list("pk", flat=True)[:rows])
    found = queryset.model._default_manager.filter(pk__in=keys)
    found.query.select_related = queryset.query.select_related
    by_key = {obj.pk: obj for obj in found}
    return [by_key[key] for key in keys if key in by_key]


def resolve(pending, rows):
    """Sections with something to do, from the pending ones: one COUNT query for all of them,
    then two small queries for the first `rows` of each that has any (none when rows is 0)."""
    pending = [p for p in pending if p is not None]
    sections = []
    for spec, count in zip(pending, count_all([p.queryset for p in pending]), strict=True):
        if not count:
            continue
        found = first_rows(spec.queryset, rows) if rows > 0 else []
        sections.append(
            Section(
                key=spec.key,
                title=spec.title,
                count=count,
                url=spec.url,
                items=[spec.to_item(r) for r in found],
                late=spec.late,
                hint=spec.hint,
            )
        )
    return sections
