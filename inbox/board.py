"""我的待办: every installed app's to-do providers (portal.todo), run for one person.

`todo_for(user)` builds the page; `todo_count(user)` the top bar's number.
"""

from portal.todo import Board, Viewer, providers

ROWS = 5


def todo_for(user, rows=ROWS, now=None):
    viewer = Viewer(user, now)
    sections = []
    for provider in providers():
        sections.extend(s for s in provider(viewer, rows) if s is not None)
    return Board(sections=sections)


def todo_count(user, now=None):
    return todo_for(user, rows=0, now=now).total
