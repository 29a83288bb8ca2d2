"""The street blows the whistle (吹哨) and responders report for duty (报到): dispatch, transfer, sign, arrive, finish, return."""

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.models import MemberUnit
from cases import access, events
from cases.models import Case, CasePhoto, CaseState, Department, Dispatch, DispatchState, Level
from cases.services.common import (
    CaseRefused,
    check,
    handled_result,
    lock_case,
    lock_dispatch,
    record,
    save_photos,
    start_finish_clock,
    text,
)
from cases.worktime import add_working_hours
from portal.access import require
from portal.scoping import Subtree


def responders_of(street):
    """The street's active departments and the member units in its tree, offered to dispatch to."""
    active = Q(liaisons__is_active=True)
    departments = (
        Department.objects.filter(street=street, active=True)
        .annotate(liaison_count=Count("liaisons", filter=active, distinct=True))
        .order_by("name")
    )
    units = (
        MemberUnit.objects.filter(**Subtree.of(street).lookups("grid__"))
        .annotate(liaison_count=Count("liaisons", filter=active, distinct=True))
        .order_by("name")
    )
    return departments, units


def _check_responders(case, departments, units):
    if not departments and not units:
        raise CaseRefused(_("请至少选择一个职能部门或驻区单位。"))
    street = case.street
    own_departments, own_units = responders_of(street)
    if {d.pk for d in departments} - set(own_departments.values_list("pk", flat=True)):
        raise CaseRefused(_("所选的职能部门不在本街道的名单中。"))
    if {u.pk for u in units} - set(own_units.values_list("pk", flat=True)):
        raise CaseRefused(_("所选的驻区单位不在本街道。"))


def _new_dispatches(case, by, departments, units, note, now):
    live = case.dispatches.filter(state__in=Dispatch.LIVE)
    taken_departments = set(live.values_list("department_id", flat=True))
    taken_units = set(live.values_list("unit_id", flat=True))
    sign_due = add_working_hours(now, case.category.sign_hours)
    made = []
    for responder, field, taken in [
        *[(d, "department", taken_departments) for d in departments],
        *[(u, "unit", taken_units) for u in units],
    ]:
        if responder.pk in taken:
            continue  # already working on it: dispatching twice changes nothing
        made.append(
            Dispatch.objects.create(
                case=case,
                street_id=case.street_id,
                **{field: responder},
                note=note,
                dispatched_by=by,
                dispatched_at=now,
                sign_due_at=sign_due,
            )
        )
    return made


@transaction.atomic
def case_dispatch(*, case, by, departments=(), units=(), note=""):
    """Send the case to one or more responders; each gets a dispatch to sign for."""
    case = lock_case(case)
    check(case, "dispatch")
    require(access.may_dispatch(by, case), _("只有街道工作人员可以派遣。"))
    departments, units = list(departments), list(units)
    _check_responders(case, departments, units)
    note = (note or "").strip()[:200]
    now = timezone.now()
    made = _new_dispatches(case, by, departments, units, note, now)
    if not made:
        raise CaseRefused(_("所选的单位都已在办理这件事。"))
    before = case.state
    case.state = CaseState.DISPATCHED
    case.level = Level.STREET
    case.accepted_at = case.accepted_at or now
    if case.finish_due_at is None or before != CaseState.DISPATCHED:
        start_finish_clock(case, now, case.category.sign_hours + case.category.finish_hours)
    case.save()
    names = "、".join(str(d.responder) for d in made)
    event = record(
        case, "dispatch", at=now, actor=by, from_state=before, note=_("派遣给%(names)s") % {"names": names}
    )
    events.case_dispatched.send(sender=Case, case=case, dispatches=made, event=event)
    return made


@transaction.atomic
def dispatch_transfer(*, dispatch, by, departments=(), units=(), reason):
    """Take a dispatch back from one responder and give the case to others (转派)."""
    case, dispatch = lock_dispatch(dispatch)
    check(case, "transfer")
    check(dispatch, "withdraw")
    require(access.may_dispatch(by, case), _("只有街道工作人员可以转派。"))
    reason = text(reason, minimum=2, maximum=200, field="reason", what=_("转派原因"))
    departments, units = list(departments), list(units)
    _check_responders(case, departments, units)
    now = timezone.now()
    before = dispatch.state
    dispatch.state = DispatchState.RETURNED
    dispatch.reason = reason
    dispatch.returned_at = now
    dispatch.save()
    record(
        case, "withdraw", at=now, actor=by, dispatch=dispatch, from_state=before, note=reason, public=False
    )
    made = _new_dispatches(case, by, departments, units, reason, now)
    if not made:
        raise CaseRefused(_("所选的单位都已在办理这件事。"))
    names = "、".join(str(d.responder) for d in made)
    event = record(
        case,
        "transfer",
        at=now,
        actor=by,
        from_state=case.state,
        note=_("转派给%(names)s") % {"names": names},
    )
    events.case_dispatched.send(sender=Case, case=case, dispatches=made, event=event)
    return made


def _responder(by, dispatch):
    require(access.is_responder(by, dispatch), _("这件事没有派遣给您的单位。"))


@transaction.atomic
def dispatch_sign(*, dispatch, by):
    """The responder signs for it (签收): its finishing clock starts."""
    case, dispatch = lock_dispatch(dispatch)
    check(dispatch, "sign")
    _responder(by, dispatch)
    now = timezone.now()
    before = dispatch.state
    dispatch.state = DispatchState.SIGNED
    dispatch.signed_at = now
    dispatch.signed_by = by
    dispatch.finish_due_at = add_working_hours(now, case.category.finish_hours)
    dispatch.near_reminded_at = None
    dispatch.save()
    record(case, "sign", at=now, actor=by, dispatch=dispatch, from_state=before, note=str(dispatch.responder))
    return dispatch


@transaction.atomic
def dispatch_arrive(*, dispatch, by):
    case, dispatch = lock_dispatch(dispatch)
    check(dispatch, "arrive")
    _responder(by, dispatch)
    now = timezone.now()
    before = dispatch.state
    dispatch.state = DispatchState.ARRIVED
    dispatch.arrived_at = now
    dispatch.save()
    record(
        case, "arrive", at=now, actor=by, dispatch=dispatch, from_state=before, note=str(dispatch.responder)
    )
    return dispatch


@transaction.atomic
def dispatch_complete(*, dispatch, by, result, photos=()):
    """The responder has done its part, with the result and photos; the last one done hands the case to verification."""
    case, dispatch = lock_dispatch(dispatch)
    check(dispatch, "complete")
    _responder(by, dispatch)
    result = handled_result(result, photos)
    now = timezone.now()
    before = dispatch.state
    dispatch.state = DispatchState.DONE
    dispatch.result = result
    dispatch.done_at = now
    dispatch.save()
    record(
        case,
        "complete",
        at=now,
        actor=by,
        dispatch=dispatch,
        from_state=before,
        note=f"{dispatch.responder}：{result}",
    )
    save_photos(case, photos, stage=CasePhoto.Stage.RESULT, by=by, dispatch=dispatch, now=now)
    _settle(case, now)
    return dispatch


@transaction.atomic
def dispatch_return(*, dispatch, by, reason):
    """The responder sends it back with a reason (not theirs, cannot be done); the street decides again."""
    case, dispatch = lock_dispatch(dispatch)
    check(dispatch, "return")
    _responder(by, dispatch)
    reason = text(reason, minimum=2, maximum=200, field="reason", what=_("退回原因"))
    now = timezone.now()
    before = dispatch.state
    dispatch.state = DispatchState.RETURNED
    dispatch.reason = reason
    dispatch.returned_at = now
    dispatch.save()
    event = record(
        case,
        "return",
        at=now,
        actor=by,
        dispatch=dispatch,
        from_state=before,
        note=f"{dispatch.responder}：{reason}",
        public=False,
    )
    events.dispatch_returned.send(sender=Case, case=case, dispatch=dispatch, event=event)
    _settle(case, now)
    return dispatch


def _settle(case, now):
    """When no dispatch is live: done if any finished, else back to the street to dispatch again."""
    if case.state != CaseState.DISPATCHED or case.dispatches.filter(state__in=Dispatch.LIVE).exists():
        return
    finished = list(case.dispatches.filter(state=DispatchState.DONE).select_related("department", "unit"))
    before = case.state
    if finished:
        case.state = CaseState.DONE
        case.done_at = now
        case.result = "\n".join(f"{d.responder}：{d.result}" for d in finished)[:1000]
        case.save()
        event = record(case, "all_done", at=now, from_state=before)
        events.case_done.send(sender=Case, case=case, event=event)
    else:
        case.state = CaseState.REPORTED
        case.finish_due_at = None
        case.sign_due_at = add_working_hours(now, case.category.sign_hours)
        case.save()
        event = record(case, "all_returned", at=now, from_state=before, public=False)
        events.case_moved.send(sender=Case, case=case, event=event)
