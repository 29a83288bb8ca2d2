"""The dashboard's numbers, cached per scope node and invalidated per street.

`dashboard_data(user)` returns the numbers of the user's scope (a street, a
community or a grid; everything for a superuser). They depend on the scope node
only, never on the person, so every user with the same scope shares one cache
entry, stored under the node's lft/rght range and the current *generation* of
its street (one generation per tree):

    dashboard:v4:<tree>:<lft>:<rght>:<generation>    the numbers, for DASHBOARD_CACHE_SECONDS

A superuser's dashboard adds up every street. Its parts are cached per street,
under the same generations:

    dashboard:v4:street:<tree>:<generation>          one street's part

so after a write in one street only that street's part is computed again
(`numbers.compute_streets`) and added to the others' cached parts
(`numbers.merge_streets`).

Saving or deleting, through the ORM, a row the dashboard counts moves its
street's generation on after the transaction commits, so the next request
computes fresh numbers; old entries are never read again and expire. Writes
that bypass the ORM's signals (the points rollup's SQL, bulk imports, the
nightly jobs' UPDATEs) show up when the entry expires: DASHBOARD_CACHE_SECONDS
(default 120) bounds how stale the dashboard can be. The cache is Django's
(Redis with REDIS_URL, shared by every process; otherwise per process).
"""

import time

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from dashboard.numbers import compute_dashboard, compute_streets, merge_streets, streets
from grids.models import Grid
from portal.scoping import EVERYTHING, NOTHING, scope_of

CACHE_VERSION = 5


def _generation_key(tree_id):
    return f"dashboard:gen:{tree_id}"


def _generation(key):
    """The current generation; a missing one starts from the clock, so it never repeats an old value."""
    value = cache.get(key)
    if value is None:
        cache.add(key, time.time_ns() // 1000, None)
        value = cache.get(key)
    return value


def _entry_key(scope):
    generation = _generation(_generation_key(scope.tree_id))
    return f"dashboard:v{CACHE_VERSION}:{scope.tree_id}:{scope.lft}:{scope.rght}:{generation}"


def dashboard_data(user):
    """The user's scope's numbers, from the cache when they are there (None without a scope)."""
    scope = scope_of(user)
    if scope is NOTHING:
        return None
    if scope is EVERYTHING:
        return _every_street()
    key = _entry_key(scope)
    data = cache.get(key)
    if data is None:
        data = compute_dashboard(Grid.objects.get(tree_id=scope.tree_id, lft=scope.lft, rght=scope.rght))
        cache.set(key, data, settings.DASHBOARD_CACHE_SECONDS)
    return data


def _every_street():
    """Every street's cached part, the missing ones computed together, added up."""
    all_streets = streets()
    generations = cache.get_many([_generation_key(s.tree_id) for s in all_streets])
    keys = {
        s.pk: f"dashboard:v{CACHE_VERSION}:street:{s.tree_id}:"
        f"{generations.get(_generation_key(s.tree_id)) or _generation(_generation_key(s.tree_id))}"
        for s in all_streets
    }
    cached = cache.get_many(list(keys.values()))
    parts = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [s for s in all_streets if s.pk not in parts]
    if missing:
        fresh = compute_streets(missing, everything=len(missing) == len(all_streets))
        cache.set_many({keys[pk]: part for pk, part in fresh.items()}, settings.DASHBOARD_CACHE_SECONDS)
        parts.update(fresh)
    return merge_streets([parts[s.pk] for s in all_streets])


def invalidate_tree(tree_id):
    """Move a street's generation on: its dashboards and its part of the superusers' are computed afresh."""
    key = _generation_key(tree_id)
    try:
        cache.incr(key)
    except ValueError:  # not there (expired, evicted or never read): start a new one
        cache.add(key, time.time_ns() // 1000, None)


# The rows the dashboard counts, by model label: the attribute holding their
# grid node, or for a claim its wish (whose grid says where it is), for a
# dispatch its case.
COUNTED = {
    "grids.household": ("grid_id", None),
    "grids.visit": ("grid_id", None),
    "care.pairing": ("grid_id", None),
    "grids.gridassignment": ("grid_id", None),
    "wishes.wish": ("grid_id", None),
    "wishes.claim": ("wish_id", "wishes.wish"),
    "volunteers.servicerecord": ("community_id", None),
    "alliances.need": ("community_id", None),
    "alliances.project": ("community_id", None),
    "cases.case": ("grid_id", None),
    "cases.dispatch": ("case_id", "cases.case"),
}


def _invalidate_grid(grid_id):
    if grid_id is None:
        return
    tree_id = Grid.objects.filter(pk=grid_id).values_list("tree_id", flat=True).first()
    if tree_id is not None:
        invalidate_tree(tree_id)


def _invalidate_via(label, pk):
    _invalidate_grid(apps.get_model(label).objects.filter(pk=pk).values_list("grid_id", flat=True).first())


def _on_change(sender, instance, **kwargs):
    attribute, via = COUNTED[sender._meta.label_lower]
    value = getattr(instance, attribute)
    if value is None:
        return
    if via is None:
        transaction.on_commit(lambda: _invalidate_grid(value))
    else:
        transaction.on_commit(lambda: _invalidate_via(via, value))


def connect_signals():
    for label in COUNTED:
        model = apps.get_model(label)
        uid = f"dashboard.{label}"
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}.delete")
