"""Punctuation for text put together from pieces, in the user's language.

Chinese joins a list with 、, puts a label before its text with a full-width
colon and an aside in full-width brackets; English uses ", ", ": " and " ( )".
The pieces themselves (names, notes) stay as they were written.
"""

from django.utils.translation import pgettext


def join_list(items):
    """甲、乙、丙 / 甲, 乙, 丙"""
    return pgettext("list separator", "、").join(str(item) for item in items)


def labelled(label, text):
    """状态：已完成 / Status: done"""
    return pgettext("a label and its text", "%(label)s：%(text)s") % {"label": label, "text": text}


def aside(text, note):
    """区人民医院（东院） / District People's Hospital (east campus)"""
    return pgettext("a text and a note in brackets", "%(text)s（%(note)s）") % {"text": text, "note": note}


def bracketed(note):
    """（东院） / " (east campus)", with the space English puts before a bracket"""
    return pgettext("a note in brackets", "（%(note)s）") % {"note": note}


def place_name(community, grid=None):
    """A place in a message, naming the community once: 兰苑社区第1网格 (a grid named after its community),
    兰苑社区 · 1号网格 (one that is not), or the community alone."""
    if not grid or grid == community:
        return community
    if grid.startswith(community):
        return grid
    return f"{community} · {grid}"
