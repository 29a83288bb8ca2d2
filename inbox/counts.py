"""Per person, in the shared cache: the top bar's two numbers and the to-do page itself.

Both are kept for INBOX_COUNT_CACHE_SECONDS. A person's own successful change
(inbox.middleware) and every notification written for them drop their
entries, so what they just did or were just told shows at once; changes by
others reach them within the cache time. A cache that does not answer is
skipped: everything is computed from the database instead, and the page never
fails for it.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

log = logging.getLogger("inbox")
VERSION = 2


def _counts_key(user_id):
    return f"inbox:counts:{VERSION}:{user_id}"


def _board_key(user_id, language):
    # The board holds finished words, so each language has its own copy.
    return f"inbox:board:{VERSION}:{user_id}:{language}"


def _get(key):
    try:
        return cache.get(key)
    except Exception:
        log.warning("cache unavailable; working from the database", exc_info=True)
        return None


def _set(key, value):
    try:
        cache.set(key, value, settings.INBOX_COUNT_CACHE_SECONDS)
    except Exception:
        log.warning("cache unavailable; not kept", exc_info=True)


def compute(user):
    """The top bar's numbers from the database."""
    from inbox.board import todo_count
    from inbox.selectors import unread_count

    return {"todo": todo_count(user), "unread": unread_count(user)}


def counts_for(user):
    """{"todo": n, "unread": n} for the signed-in user, cached."""
    key = _counts_key(user.pk)
    found = _get(key)
    if found is None:
        found = compute(user)
        _set(key, found)
    return found


def board_for(user):
    """The user's to-do (inbox.board.todo_for), cached in their language."""
    from inbox.board import todo_for

    key = _board_key(user.pk, get_language() or settings.LANGUAGE_CODE)
    board = _get(key)
    if board is None:
        board = todo_for(user)
        _set(key, board)
        # The top bar says the same number as the page, without counting again.
        from inbox.selectors import unread_count

        _set(_counts_key(user.pk), {"todo": board.total, "unread": unread_count(user)})
    return board


def forget(user_ids):
    languages = [code for code, _name in settings.LANGUAGES]
    keys = []
    for pk in user_ids:
        if pk:
            keys.append(_counts_key(pk))
            keys += [_board_key(pk, language) for language in languages]
    if not keys:
        return
    try:
        cache.delete_many(keys)
    except Exception:
        log.warning("cache unavailable; entries expire by themselves", exc_info=True)
