"""The end of a case: verification (核实) with the points it earns, the resident's rating, and "没有解决"."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import access, events
from cases.models import Case, CaseState, DispatchState, Level, Source
from cases.services.common import CaseRefused, check, lock_case, record, start_sign_clock, text
from points.services import points_award, points_award_to_user
from portal.access import require

# The points rules a verified case earns (editable in the points admin, per street).
RULE_UNIT = "case_closed_unit"
RULE_PERSON = "case_closed_person"


def _award(case, now):
    """Units that finished a dispatch, and the person who handled it in the grid or community (if a volunteer)."""
    for dispatch in case.dispatches.filter(state=DispatchState.DONE, unit__isnull=False).select_related(
        "unit"
    ):
        points_award(rule_code=RULE_UNIT, subject=dispatch.unit, source=dispatch, occurred_at=now)
    if case.holder_id and not case.dispatches.filter(state=DispatchState.DONE).exists():
        points_award_to_user(rule_code=RULE_PERSON, user=case.holder, source=case, occurred_at=now)


@transaction.atomic
def case_verify(*, case, by, note=""):
    """The secretary (or street staff) checked the result on the ground (核实).

    A case a resident reported waits for their rating; one reported by staff closes.
    """
    case = lock_case(case)
    check(case, "verify")
    require(access.may_verify(by, case), _("只有本社区书记或街道工作人员可以核实。"))
    now = timezone.now()
    before = case.state
    asks_resident = bool(case.reporter_phone) and case.source in (Source.RESIDENT, Source.WISH)
    case.state = CaseState.VERIFIED if asks_resident else CaseState.CLOSED
    case.verified_at = now
    if not asks_resident:
        case.closed_at = now
    case.save()
    event = record(
        case,
        "verify" if asks_resident else "close",
        at=now,
        actor=by,
        from_state=before,
        note=(note or "")[:200],
    )
    _award(case, now)
    events.case_verified.send(sender=Case, case=case, event=event)
    if not asks_resident:
        events.case_closed.send(sender=Case, case=case, event=event)
    return case


@transaction.atomic
def case_redo(*, case, by, reason):
    """Verification found it not done: back to be handled again at the level that finished it."""
    case = lock_case(case)
    check(case, "redo")
    require(access.may_verify(by, case), _("只有本社区书记或街道工作人员可以核实。"))
    reason = text(reason, minimum=2, maximum=200, field="reason", what=_("原因"))
    now = timezone.now()
    before = case.state
    case.state = CaseState.REPORTED
    case.done_at = None
    start_sign_clock(case, now)
    case.save()
    event = record(case, "redo", at=now, actor=by, from_state=before, note=reason)
    events.case_moved.send(sender=Case, case=case, event=event)
    return case


@transaction.atomic
def case_rate(*, case, rating, comment=""):
    """The resident rates the result 1–5 through the tracking code; the case closes."""
    case = lock_case(case)
    check(case, "rate")
    if rating not in range(1, 6):
        raise CaseRefused(_("请给出 1 到 5 星的评分。"))
    now = timezone.now()
    before = case.state
    case.state = CaseState.CLOSED
    case.rating = rating
    case.rating_comment = (comment or "").strip()[:200]
    case.closed_at = now
    case.save()
    event = record(case, "rate", at=now, from_state=before, note=_("评分 %(n)s 星") % {"n": rating})
    events.case_closed.send(sender=Case, case=case, event=event)
    return case


@transaction.atomic
def case_unresolved(*, case, reason):
    """The resident says "没有解决": reopened once where it was handled; the second time it goes to the community."""
    case = lock_case(case)
    check(case, "unresolved")
    reason = text(reason, minimum=2, maximum=200, field="reason", what=_("情况说明"))
    now = timezone.now()
    before = case.state
    case.reopened_count += 1
    case.state = CaseState.REPORTED
    if case.reopened_count > 1:
        case.level = Level.COMMUNITY
    case.verified_at = None
    case.done_at = None
    start_sign_clock(case, now)
    case.save()
    event = record(case, "unresolved", at=now, from_state=before, note=reason)
    events.case_moved.send(sender=Case, case=case, event=event)
    return case
