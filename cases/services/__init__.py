"""Writes for grid cases.

Every change follows lock, re-check, change, record: the case row is locked
with select_for_update (before any of its dispatches, on every path), its
state checked against the one transition table (cases.transitions), then
changed, and a CaseEvent written. An action the state no longer allows —
because a colleague was faster — raises CaseRefused, whose message says who
did what ("已被…处理"), and nothing is written.
"""

from cases.services.closing import RULE_PERSON, RULE_UNIT, case_rate, case_redo, case_unresolved, case_verify
from cases.services.common import CaseRefused
from cases.services.dispatching import (
    case_dispatch,
    dispatch_arrive,
    dispatch_complete,
    dispatch_return,
    dispatch_sign,
    dispatch_transfer,
    responders_of,
)
from cases.services.jobs import cases_check_overdue
from cases.services.report import (
    TooManyCases,
    case_from_visit,
    case_from_wish,
    case_report_resident,
    case_report_worker,
    case_to_wish,
)
from cases.services.triage import (
    case_accept,
    case_decline,
    case_finish,
    case_merge,
    case_pass_up,
    case_send_back,
    case_supervise,
)

__all__ = [
    "RULE_PERSON",
    "RULE_UNIT",
    "CaseRefused",
    "TooManyCases",
    "case_accept",
    "case_decline",
    "case_dispatch",
    "case_finish",
    "case_from_visit",
    "case_from_wish",
    "case_merge",
    "case_pass_up",
    "case_rate",
    "case_redo",
    "case_report_resident",
    "case_report_worker",
    "case_send_back",
    "case_supervise",
    "case_to_wish",
    "case_unresolved",
    "case_verify",
    "cases_check_overdue",
    "dispatch_arrive",
    "dispatch_complete",
    "dispatch_return",
    "dispatch_sign",
    "dispatch_transfer",
    "responders_of",
]
