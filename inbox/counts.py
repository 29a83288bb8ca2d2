"""The top bar's two numbers per user: to-do items and unread notifications.

Kept in the shared cache for INBOX_COUNT_CACHE_SECONDS. A user's own
successful change (inbox.middleware) and every notification written for them
drop their entry, so what they just did or were just told shows at once;
changes by others reach their to-do count within the cache time. A cache that
does not answer is skipped: the numbers are computed from the database
instead, and the page never fails for it.
"""

import logging

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger("inbox")
VERSION = 1


def _key(user_id):
    return f"inbox:counts:{VERSION}:{user_id}"


def compute(user):
    from inbox.board import todo_count
    from inbox.selectors import unread_count

    return {"todo": todo_count(user), "unread": unread_count(user)}


def counts_for(user):
    """{"todo": n, "unread": n} for the signed-in user, cached."""
    key = _key(user.pk)
    try:
        found = cache.get(key)
    except Exception:
        log.warning("cache unavailable; counting from the database", exc_info=True)
        return compute(user)
    if found is not None:
        return found
    found = compute(user)
    try:
        cache.set(key, found, settings.INBOX_COUNT_CACHE_SECONDS)
    except Exception:
        log.warning("cache unavailable; counts not kept", exc_info=True)
    return found


def forget(user_ids):
    keys = [_key(pk) for pk in user_ids if pk]
    if not keys:
        return
    try:
        cache.delete_many(keys)
    except Exception:
        log.warning("cache unavailable; counts expire by themselves", exc_info=True)
