"""我的待办: every installed app's to-do providers (portal.todo), run for one person.

`todo_for(user)` builds the page; `todo_count(user)` the top bar's number.
"""

from portal.todo import Board, Viewer, providers, resolve

ROWS = 5


def todo_for(user, rows=ROWS, now=None):
    viewer = Viewer(user, now)
    pending = [spec for provider in providers() for spec in provider(viewer, rows)]
    return Board(sections=resolve(pending, rows))


def todo_count(user, now=None):
    return todo_for(user, rows=0, now=now).total
