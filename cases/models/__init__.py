"""Grid cases (网格事件, 随手拍): what is reported, who answers it, and the history of both.

A case belongs to a grid node (scope_field "grid"); it is held at one level
(grid, community or street) until it is handled there or dispatched by the
street (吹哨) to responders: departments the street lists and the alliances'
member units. Every change is a service (cases.services) checked against the
one transition table (cases.transitions) and written as a CaseEvent.
"""

from cases.models.cases import Case, CasePhoto, CaseState, Source
from cases.models.catalogue import Category, Department, Level
from cases.models.dispatches import Dispatch, DispatchState
from cases.models.events import CaseEvent

__all__ = [
    "Case",
    "CaseEvent",
    "CasePhoto",
    "CaseState",
    "Category",
    "Department",
    "Dispatch",
    "DispatchState",
    "Level",
    "Source",
]
