"""Domain events of grid cases, as Django signals.

`cases.services` sends them inside its transactions, after the change and its
CaseEvent are written; the inbox (which no app imports) connects receivers
that write notifications in the same transaction. All arguments are keywords;
`sender` is Case.

case_reported     case, event — a new case waits at its first level
case_moved        case, event — passed up, sent back, escalated or reopened: waits at a new level
case_dispatched   case, dispatches, event — sent to responders (吹哨)
dispatch_returned case, dispatch, event — a responder sent it back, with the reason
case_done         case, event — handled; waits for verification (核实)
case_verified     case, event — verified; the resident is asked to rate it
case_closed       case, event
cases_overdue     case_ids, dispatch_ids — marked overdue by the job (and escalated)
cases_near_limit  case_ids, dispatch_ids — near their finishing limit: remind whoever holds them
"""

from django.dispatch import Signal

case_reported = Signal()
case_moved = Signal()
case_dispatched = Signal()
dispatch_returned = Signal()
case_done = Signal()
case_verified = Signal()
case_closed = Signal()
cases_overdue = Signal()
cases_near_limit = Signal()
