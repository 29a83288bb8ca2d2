"""The overdue job: mark what passed its limit, escalate one level, remind whoever holds what is near it.

Each step claims its rows with a conditional UPDATE (`filter(pk=…, mark is
NULL).update(mark=now)`): a row another run or a person changed meanwhile
updates 0 rows and is left alone, so two runs at once, or a run repeated,
do nothing twice. The candidates come from partial indexes on the due
times, so a run with nothing due reads no rows.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import events, transitions
from cases.models import Case, CaseState, Dispatch, DispatchState, Level
from cases.services.common import lock_case, record, start_sign_clock

BATCH = 500


def _escalate(case_pk, now, *, finishing):
    """One overdue case: re-checked under its lock, marked, and moved one level up unless the street has it.

    Someone may have acted on it since the candidates were read (accepted it,
    finished it): the lock and the re-check leave such a case alone.
    """
    field = "finish_overdue_at" if finishing else "sign_overdue_at"
    due = "finish_due_at" if finishing else "sign_due_at"
    with transaction.atomic():
        case = lock_case(Case(pk=case_pk))
        if getattr(case, field) is not None or getattr(case, due) is None or getattr(case, due) >= now:
            return False
        if finishing:
            action = "overdue_dispatched" if case.state == CaseState.DISPATCHED else "overdue_finish"
        else:
            action = "overdue_sign"
        if not transitions.allowed(action, case.state):
            return False
        setattr(case, field, now)
        before = case.state
        if case.level != Level.STREET:
            case.level = Level.above(case.level)
            case.state = CaseState.REPORTED
            start_sign_clock(case, now)
            note = _("超时，升级到%(level)s") % {"level": case.get_level_display()}
        else:  # the street holds it already: it stays as it is, and the street is told
            note = _("超时，已提醒街道督办")
        case.save()
        record(case, action, at=now, from_state=before, note=note)
        return True


def _mark_dispatches(now, field, due, states):
    """Mark the live dispatches whose `due` passed, in one conditional UPDATE; returns their ids.

    The candidates are read in the order of their partial index (never the model's
    `dispatched_at` order, which makes PostgreSQL walk every dispatch). The UPDATE
    re-checks the conditions, so a dispatch another run or a responder changed meanwhile
    is left alone; what this run marked is what now carries this run's `now`."""
    late = {"state__in": states, f"{field}__isnull": True, f"{due}__lt": now}
    ids = list(Dispatch.objects.filter(**late).order_by(due).values_list("pk", flat=True)[:BATCH])
    if not ids or not Dispatch.objects.filter(pk__in=ids, **late).update(**{field: now}):
        return []
    return list(
        Dispatch.objects.filter(pk__in=ids, **{field: now}).order_by(due).values_list("pk", flat=True)
    )


def cases_check_overdue(*, now=None):
    """Run by beat every few minutes; returns what it did, e.g. {"cases": 2, "dispatches": 1, "near": 3}."""
    now = now or timezone.now()
    sign_late = list(
        Case.objects.filter(state=CaseState.REPORTED, sign_overdue_at__isnull=True, sign_due_at__lt=now)
        .order_by("sign_due_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    finish_late = list(
        Case.objects.filter(
            state__in=[CaseState.HANDLING, CaseState.DISPATCHED],
            finish_overdue_at__isnull=True,
            finish_due_at__lt=now,
        )
        .order_by("finish_due_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    cases = [pk for pk in sign_late if _escalate(pk, now, finishing=False)]
    cases += [pk for pk in finish_late if _escalate(pk, now, finishing=True)]

    dispatches = _mark_dispatches(now, "sign_overdue_at", "sign_due_at", [DispatchState.DISPATCHED])
    dispatches += _mark_dispatches(
        now, "finish_overdue_at", "finish_due_at", [DispatchState.SIGNED, DispatchState.ARRIVED]
    )
    if cases or dispatches:
        with transaction.atomic():
            events.cases_overdue.send(sender=Case, case_ids=cases, dispatch_ids=dispatches)

    near = _near_limit(now)
    return {"cases": len(cases), "dispatches": len(dispatches), "near": near}


def _near_limit(now):
    """Cases and dispatches whose finishing limit is within CASES_NEAR_LIMIT_HOURS, each reminded once per limit."""
    soon = now + datetime.timedelta(hours=settings.CASES_NEAR_LIMIT_HOURS)
    case_ids = list(
        Case.objects.filter(
            state=CaseState.HANDLING,
            finish_overdue_at__isnull=True,
            near_reminded_at__isnull=True,
            finish_due_at__gte=now,
            finish_due_at__lt=soon,
        ).values_list("pk", flat=True)[:BATCH]
    )
    dispatch_ids = list(
        Dispatch.objects.filter(
            state__in=[DispatchState.SIGNED, DispatchState.ARRIVED],
            finish_overdue_at__isnull=True,
            near_reminded_at__isnull=True,
            finish_due_at__gte=now,
            finish_due_at__lt=soon,
        )
        .order_by("finish_due_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    case_ids = [
        pk
        for pk in case_ids
        if Case.objects.filter(pk=pk, near_reminded_at__isnull=True).update(near_reminded_at=now)
    ]
    dispatch_ids = [
        pk
        for pk in dispatch_ids
        if Dispatch.objects.filter(pk=pk, near_reminded_at__isnull=True).update(near_reminded_at=now)
    ]
    if case_ids or dispatch_ids:
        with transaction.atomic():
            events.cases_near_limit.send(sender=Case, case_ids=case_ids, dispatch_ids=dispatch_ids)
    return len(case_ids) + len(dispatch_ids)
