"""Receivers of the grid cases' events: who is told when a case waits, is dispatched, returned, done, verified or late.

As in inbox.receivers: they run inside the sending transaction, and each
notification's key names the event and the recipient, so nothing is told twice.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases import events as case_events
from cases import selectors as case_selectors
from cases.models import CaseState, Level
from grids.selectors import contacts_for, staff_in_charge
from inbox import counts
from inbox.models import Kind
from inbox.services import Note, notifications_write
from portal.text import place_name

TEXT_LENGTH = 20


def _short(text, length=TEXT_LENGTH):
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _place(case):
    if case.grid_id == case.community_id:
        return case.community.name
    return place_name(case.community.name, case.grid.name)


def _when(value):
    return timezone.localtime(value).strftime("%m-%d %H:%M") if value else "—"


def _at_level(case):
    """The people who act on the case at the level it is held."""
    if case.level == Level.GRID:
        return [contact.user for contact in contacts_for(case.grid)]
    if case.level == Level.COMMUNITY:
        return staff_in_charge(case.community)
    return case_selectors.street_staff(case.street)


def _verifiers(case):
    return staff_in_charge(case.community) or case_selectors.street_staff(case.street)


def _staff_notes(kind, key, users, case, params, *, skip=None):
    link = reverse("cases:detail", args=[case.pk])
    return [
        Note(key=f"{kind}:{key}:{user.pk}", recipient=user, params=params, link=link, grid_id=case.grid_id)
        for user in users
        if skip is None or user.pk != skip
    ]


def _dispatch_notes(kind, key, dispatch, params):
    link = reverse("cases:dispatch", args=[dispatch.pk])
    return [
        Note(
            key=f"{kind}:{key}:{user.pk}",
            recipient=user,
            params=params,
            link=link,
            grid_id=dispatch.case.grid_id,
        )
        for user in case_selectors.responder_users(dispatch)
    ]


def _write(kind, notes):
    notifications_write(kind=kind, notes=notes)
    # The to-do of everyone told changes at once (it is kept a minute otherwise).
    users = [note.recipient.pk for note in notes if note.recipient is not None]
    transaction.on_commit(lambda: counts.forget(users))


def _base(case):
    return {"place": _place(case), "text": _short(case.description), "category": case.category.name}


def on_case_waiting(sender, *, case, event, **kwargs):
    params = {**_base(case), "level": case.get_level_display(), "due": _when(case.sign_due_at)}
    if event.action == "supervise":
        params.update(v="supervised", note=_short(event.note, 60))
        users = _at_level(case) if case.state != CaseState.DISPATCHED else []
        notes = _staff_notes(Kind.CASE_WAITING, event.pk, users, case, params, skip=event.actor_id)
        for dispatch in case.dispatches.filter(state__in=["dispatched", "signed", "arrived"]):
            notes += _dispatch_notes(Kind.CASE_WAITING, f"{event.pk}:d{dispatch.pk}", dispatch, params)
    else:
        # Why it waits, when someone said why: the resident's "没有解决", the reason it came back, the note it
        # was passed up with.
        variant = {
            "unresolved": "reopened",
            "send_back": "sent_back",
            "pass_up": "passed_up",
            "redo": "redo",
        }.get(event.action)
        if variant and event.note:
            params.update(v=variant, note=_short(event.note, 60))
        notes = _staff_notes(Kind.CASE_WAITING, event.pk, _at_level(case), case, params, skip=event.actor_id)
    _write(Kind.CASE_WAITING, notes)


def on_case_dispatched(sender, *, case, dispatches, event, **kwargs):
    notes = []
    for dispatch in dispatches:
        params = {**_base(case), "responder": str(dispatch.responder), "due": _when(dispatch.sign_due_at)}
        notes += _dispatch_notes(Kind.CASE_DISPATCHED, dispatch.pk, dispatch, params)
    _write(Kind.CASE_DISPATCHED, notes)


def on_dispatch_returned(sender, *, case, dispatch, event, **kwargs):
    params = {**_base(case), "responder": str(dispatch.responder), "reason": _short(dispatch.reason, 60)}
    _write(
        Kind.DISPATCH_RETURNED,
        _staff_notes(
            Kind.DISPATCH_RETURNED, event.pk, case_selectors.street_staff(case.street), case, params
        ),
    )


def on_case_done(sender, *, case, event, **kwargs):
    _write(
        Kind.CASE_DONE,
        _staff_notes(Kind.CASE_DONE, event.pk, _verifiers(case), case, _base(case), skip=event.actor_id),
    )


def _tell_resident(kind, case, event, **params):
    if not case.reporter_phone or case.source not in ("resident", "wish"):
        return
    note = Note(
        key=f"{kind}:{event.pk}:{case.code}",
        phone=case.reporter_phone,
        params={"code": case.code, **params},
        link=reverse("cases:track", args=[case.code]),
        grid_id=case.grid_id,
    )
    notifications_write(kind=kind, notes=[note])


def on_case_verified(sender, *, case, event, **kwargs):
    if case.state == CaseState.VERIFIED:
        _tell_resident(Kind.CASE_VERIFIED, case, event)


def on_case_closed(sender, *, case, event, **kwargs):
    if case.state == CaseState.DECLINED:
        _tell_resident(Kind.CASE_DECLINED, case, event, reason=_short(case.decline_reason, 60))


def on_cases_overdue(sender, *, case_ids, dispatch_ids, **kwargs):
    from django.utils.translation import gettext as _

    notes = []
    staff_of = {}  # a batch's cases share few streets: each street's staff is read once

    def street_staff(street):
        if street.pk not in staff_of:
            staff_of[street.pk] = case_selectors.street_staff(street)
        return staff_of[street.pk]

    for case in case_selectors.cases_by_ids(case_ids):
        what = _("未受理") if case.state == CaseState.REPORTED and not case.finish_overdue_at else _("未办结")
        params = {**_base(case), "what": what}
        users = {u.pk: u for u in [*_at_level(case), *street_staff(case.street)]}.values()
        notes += _staff_notes(Kind.CASE_OVERDUE, f"c{case.pk}:{what}", users, case, params)
    for dispatch in case_selectors.dispatches_by_ids(dispatch_ids):
        case = dispatch.case
        what = _("%(responder)s未签收") if dispatch.state == "dispatched" else _("%(responder)s未办结")
        what = what % {"responder": dispatch.responder}
        params = {**_base(case), "what": what}
        notes += _dispatch_notes(Kind.CASE_OVERDUE, f"d{dispatch.pk}:{dispatch.state}", dispatch, params)
        notes += _staff_notes(
            Kind.CASE_OVERDUE,
            f"d{dispatch.pk}:{dispatch.state}",
            street_staff(case.street),
            case,
            params,
        )
    _write(Kind.CASE_OVERDUE, notes)


def on_cases_near_limit(sender, *, case_ids, dispatch_ids, **kwargs):
    notes = []
    for case in case_selectors.cases_by_ids(case_ids):
        if case.holder is None:
            continue
        params = {**_base(case), "due": _when(case.finish_due_at)}
        key = f"c{case.pk}:{case.finish_due_at:%Y%m%d%H%M}"
        notes += _staff_notes(Kind.CASE_NEAR_LIMIT, key, [case.holder], case, params)
    for dispatch in case_selectors.dispatches_by_ids(dispatch_ids):
        params = {**_base(dispatch.case), "due": _when(dispatch.finish_due_at)}
        notes += _dispatch_notes(
            Kind.CASE_NEAR_LIMIT, f"d{dispatch.pk}:{dispatch.finish_due_at:%Y%m%d%H%M}", dispatch, params
        )
    _write(Kind.CASE_NEAR_LIMIT, notes)


_RECEIVERS = [
    (case_events.case_reported, on_case_waiting),
    (case_events.case_moved, on_case_waiting),
    (case_events.case_dispatched, on_case_dispatched),
    (case_events.dispatch_returned, on_dispatch_returned),
    (case_events.case_done, on_case_done),
    (case_events.case_verified, on_case_verified),
    (case_events.case_closed, on_case_closed),
    (case_events.cases_overdue, on_cases_overdue),
    (case_events.cases_near_limit, on_cases_near_limit),
]


def connect():
    for signal, receiver in _RECEIVERS:
        signal.connect(receiver, dispatch_uid=f"inbox.cases.{receiver.__name__}.{id(signal)}")
