"""我的待办: what each person owes next, computed from what they can see.

Each app's part is one module here (wishes, grids, volunteers, alliances,
reports; a new app adds its own), registering providers with `base.provider`.
`todo_for(user)` builds the page; `todo_count(user)` the top bar's number.
"""

from inbox.todo import alliances, grids, reports, volunteers, wishes  # noqa: F401  (registers providers)
from inbox.todo.base import PROVIDERS, Board, Item, Section, Viewer

ROWS = 5


def todo_for(user, rows=ROWS, now=None):
    viewer = Viewer(user, now)
    sections = []
    for provider in PROVIDERS:
        sections.extend(s for s in provider(viewer, rows) if s is not None)
    return Board(sections=sections)


def todo_count(user, now=None):
    return todo_for(user, rows=0, now=now).total


__all__ = ["Board", "Item", "Section", "todo_count", "todo_for"]
