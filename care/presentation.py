"""The 民情图's cells as HTML, written here rather than in the template.

A 300-household grid has 300 cells; drawn with a template include (or
format_html) each they cost most of the page's time. Written as strings here,
with every value that comes from data escaped and the words translated once
per page, they cost a few milliseconds.
"""

from html import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


def _words():
    words = {"overdue": _("逾期未走访"), "paired": _("已结对"), "paired_mark": _("结"), "empty": _("无住户")}
    return {key: escape(str(value)) for key, value in words.items()}


def _cell(cell, words, unit=None):
    room = escape(cell.room if unit is None else f"{unit}-{cell.room}")
    label = escape(cell.label)
    notes, marks = [label], []
    if cell.overdue:
        notes.append(words["overdue"])
        marks.append(f'<span class="mark overdue" aria-label="{words["overdue"]}">!</span>')
    if cell.paired:
        notes.append(words["paired"])
        marks.append(
            f'<span class="mark paired" aria-label="{words["paired"]}">{words["paired_mark"]}</span>'
        )
    classes = f"cell cat-{escape(cell.category)}{' overdue' if cell.overdue else ''}{'' if unit is None else ' wide'}"
    return (
        f'<a class="{classes}" href="{escape(cell.url)}" title="{room} {" · ".join(notes)}">'
        f'<span class="room">{room}</span><span class="lab">{label}</span>{"".join(marks)}</a>'
    )


def draw(maps):
    """Give each building map its `rows` [(floor label, its cells as <td>s)] and `others_html`."""
    words = _words()
    empty = f'<td><span class="cell empty" aria-label="{words["empty"]}">·</span></td>'
    floor_label = _("%(floor)s层")
    for bmap in maps:
        bmap.rows = [
            (
                floor_label % {"floor": floor},
                # Safe: every value from the data is escaped in _cell.
                mark_safe("".join(empty if c is None else f"<td>{_cell(c, words)}</td>" for c in row)),
            )
            for floor, row in bmap.floors
        ]
        bmap.others_html = mark_safe("".join(_cell(c, words, unit=unit) for unit, c in bmap.others))
    return maps
