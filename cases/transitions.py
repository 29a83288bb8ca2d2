"""The one table of what may happen to a case and to a dispatch, from which state, by whom.

Every service names its action here and calls `check` on the locked row;
nothing else decides whether a change is allowed. `who` says whose action it
is (cases.access holds the rule for each):

- "level": staff or a grid worker over the level the case is held at;
- "street": street staff (dispatch, supervise, transfer);
- "verifier": the community's secretary or street staff (核实);
- "responder": a liaison of the dispatch's department or member unit;
- "resident": whoever holds the tracking code;
- "system": the overdue job.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from cases.models import CaseState as S
from cases.models import DispatchState as D


@dataclass(frozen=True)
class Action:
    label: str
    sources: tuple  # states the action may start from
    target: str | None  # the state it leads to; None: the state stays
    who: str
    on_dispatch: bool = False


ACTIONS = {
    "report": Action(_("上报"), (), S.REPORTED, "resident"),
    "from_wish": Action(_("由微心愿转为事件"), (), S.REPORTED, "level"),
    "accept": Action(_("受理"), (S.REPORTED,), S.HANDLING, "level"),
    "decline": Action(_("不予受理"), (S.REPORTED,), S.DECLINED, "level"),
    "pass_up": Action(_("上报上级"), (S.REPORTED, S.HANDLING), S.REPORTED, "level"),
    "send_back": Action(_("退回下级"), (S.REPORTED, S.HANDLING), S.REPORTED, "level"),
    "finish": Action(_("办理完成"), (S.HANDLING,), S.DONE, "level"),
    "to_wish": Action(_("转为微心愿"), (S.REPORTED, S.HANDLING), S.TO_WISH, "level"),
    "merge": Action(_("合并重复事件"), (S.REPORTED, S.HANDLING, S.DISPATCHED), S.MERGED, "street"),
    "dispatch": Action(_("派遣（吹哨）"), (S.REPORTED, S.HANDLING, S.DISPATCHED), S.DISPATCHED, "street"),
    "transfer": Action(_("转派"), (S.DISPATCHED,), S.DISPATCHED, "street"),
    "supervise": Action(_("督办"), (S.REPORTED, S.HANDLING, S.DISPATCHED), None, "street"),
    "all_done": Action(_("各单位均已办结"), (S.DISPATCHED,), S.DONE, "responder"),
    "all_returned": Action(_("各单位均已退回，待重新派遣"), (S.DISPATCHED,), S.REPORTED, "responder"),
    "verify": Action(_("核实通过"), (S.DONE,), S.VERIFIED, "verifier"),
    "redo": Action(_("核实未通过，重新办理"), (S.DONE,), S.REPORTED, "verifier"),
    "close": Action(_("结案"), (S.DONE,), S.CLOSED, "verifier"),
    "rate": Action(_("居民评价"), (S.VERIFIED,), S.CLOSED, "resident"),
    "unresolved": Action(_("居民反馈没有解决"), (S.VERIFIED,), S.REPORTED, "resident"),
    "overdue_sign": Action(_("超时未受理，升级"), (S.REPORTED,), S.REPORTED, "system"),
    "overdue_finish": Action(_("超时未办结，升级"), (S.HANDLING,), S.REPORTED, "system"),
    "overdue_dispatched": Action(_("超时未办结"), (S.DISPATCHED,), None, "system"),
    # What happens to one dispatch.
    "sign": Action(_("签收"), (D.DISPATCHED,), D.SIGNED, "responder", True),
    "arrive": Action(_("到场"), (D.SIGNED,), D.ARRIVED, "responder", True),
    "complete": Action(_("办结"), (D.SIGNED, D.ARRIVED), D.DONE, "responder", True),
    "return": Action(_("退回"), (D.DISPATCHED, D.SIGNED, D.ARRIVED), D.RETURNED, "responder", True),
    "withdraw": Action(_("撤回派遣"), (D.DISPATCHED, D.SIGNED, D.ARRIVED), D.RETURNED, "street", True),
    "dispatch_overdue_sign": Action(_("超时未签收"), (D.DISPATCHED,), None, "system", True),
    "dispatch_overdue_finish": Action(_("超时未办结"), (D.SIGNED, D.ARRIVED), None, "system", True),
}


def allowed(action, state):
    return state in ACTIONS[action].sources


def target(action, state):
    """The state `action` leads to from `state` (the same one when the action keeps it)."""
    return ACTIONS[action].target or state


def actions_from(state, *, on_dispatch=False, who=None):
    """The actions that may start from `state`, in table order (for the pages' buttons)."""
    return [
        name
        for name, spec in ACTIONS.items()
        if spec.on_dispatch == on_dispatch and state in spec.sources and (who is None or spec.who in who)
    ]
