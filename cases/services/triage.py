"""At a level (grid, community, street): accept, decline, pass up, send back, handle and finish; the street supervises and merges."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import access, events
from cases.models import Case, CasePhoto, CaseState, Level
from cases.services.common import (
    CaseRefused,
    check,
    handled_result,
    lock_case,
    record,
    save_photos,
    start_finish_clock,
    start_sign_clock,
    text,
)
from portal.access import require


def _may_handle(by, case):
    require(
        access.may_handle(by, case),
        _("这件事现在由%(level)s处理，不在您的权限内。") % {"level": case.get_level_display()},
    )


@transaction.atomic
def case_accept(*, case, by):
    """Take the case on at its level (受理): the finishing clock starts."""
    case = lock_case(case)
    check(case, "accept")
    _may_handle(by, case)
    now = timezone.now()
    before = case.state
    case.state = CaseState.HANDLING
    case.holder = by
    case.accepted_at = case.accepted_at or now
    start_finish_clock(case, now)
    case.save()
    record(case, "accept", at=now, actor=by, from_state=before)
    return case


@transaction.atomic
def case_decline(*, case, by, reason):
    """Not for the portal to handle (不予受理), with the reason the resident reads — "not ours: go to …"."""
    case = lock_case(case)
    check(case, "decline")
    _may_handle(by, case)
    reason = text(reason, minimum=2, maximum=200, field="reason", what=_("原因"))
    now = timezone.now()
    before = case.state
    case.state = CaseState.DECLINED
    case.decline_reason = reason
    case.closed_at = now
    case.save()
    event = record(case, "decline", at=now, actor=by, from_state=before, note=reason)
    events.case_closed.send(sender=Case, case=case, event=event)
    return case


@transaction.atomic
def case_pass_up(*, case, by, note=""):
    """Pass the case to the level above (grid → community → street); it waits to be accepted there."""
    case = lock_case(case)
    check(case, "pass_up")
    _may_handle(by, case)
    if case.level == Level.STREET:
        raise CaseRefused(_("街道是最高一级，请派遣给职能部门或驻区单位。"))
    return _move(case, by, "pass_up", Level.above(case.level), note)


@transaction.atomic
def case_send_back(*, case, by, reason):
    """Send the case back to the level below, with the reason (退回)."""
    case = lock_case(case)
    check(case, "send_back")
    _may_handle(by, case)
    lowest = Level.COMMUNITY if case.grid.kind == "community" else Level.GRID
    if case.level == lowest:
        raise CaseRefused(_("这件事已在最低一级，不能再退回。"))
    reason = text(reason, minimum=2, maximum=200, field="reason", what=_("原因"))
    return _move(case, by, "send_back", Level.below(case.level), reason)


def _move(case, by, action, level, note, *, at=None):
    now = at or timezone.now()
    before = case.state
    case.state = CaseState.REPORTED
    case.level = level
    start_sign_clock(case, now)
    case.save()
    event = record(case, action, at=now, actor=by, from_state=before, note=note)
    events.case_moved.send(sender=Case, case=case, event=event)
    return case


@transaction.atomic
def case_finish(*, case, by, result, photos=()):
    """Handled at the grid or community (网格自办): the result and photos, then verification."""
    case = lock_case(case)
    check(case, "finish")
    _may_handle(by, case)
    result = handled_result(result, photos)
    now = timezone.now()
    before = case.state
    case.state = CaseState.DONE
    case.result = result
    case.done_at = now
    case.save()
    event = record(case, "finish", at=now, actor=by, from_state=before, note=result)
    save_photos(case, photos, stage=CasePhoto.Stage.RESULT, by=by, now=now)
    events.case_done.send(sender=Case, case=case, event=event)
    return case


@transaction.atomic
def case_supervise(*, case, by, note):
    """The street presses for an answer (督办): a row in the log that the holders are told about."""
    case = lock_case(case)
    check(case, "supervise")
    require(access.may_dispatch(by, case), _("只有街道工作人员可以督办。"))
    note = text(note, minimum=2, maximum=200, field="note", what=_("督办意见"))
    now = timezone.now()
    case.supervised_count += 1
    case.save(update_fields=["supervised_count"])
    event = record(case, "supervise", at=now, actor=by, from_state=case.state, note=note, public=False)
    events.case_moved.send(sender=Case, case=case, event=event)
    return case


@transaction.atomic
def case_merge(*, case, into, by):
    """A duplicate goes into the case already being handled; its resident follows that one."""
    if case.pk == into.pk:
        raise CaseRefused(_("不能把事件合并到它自己。"))
    # Both rows locked, in pk order, so two merges of the same pair never wait on each other.
    first, second = sorted([case, into], key=lambda c: c.pk)
    locked = {c.pk: lock_case(c) for c in (first, second)}
    case, into = locked[case.pk], locked[into.pk]
    check(case, "merge")
    require(
        access.may_dispatch(by, case) and access.may_dispatch(by, into), _("只有街道工作人员可以合并事件。")
    )
    if into.state in (CaseState.MERGED, CaseState.DECLINED, CaseState.TO_WISH):
        raise CaseRefused(_("目标事件已经合并、不予受理或转为心愿，请选择正在办理的事件。"))
    if case.dispatches.filter(state__in=["dispatched", "signed", "arrived"]).exists():
        raise CaseRefused(_("这件事还有未办结的派遣，请先撤回派遣再合并。"))
    now = timezone.now()
    before = case.state
    case.state = CaseState.MERGED
    case.merged_into = into
    case.closed_at = now
    case.save()
    # Not on the resident's page: the note names another resident's tracking code.
    record(
        case,
        "merge",
        at=now,
        actor=by,
        from_state=before,
        note=_("与事件 %(code)s 重复，合并办理") % {"code": into.code},
        public=False,
    )
    return case
