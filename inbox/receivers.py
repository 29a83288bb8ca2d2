"""Receivers of the apps' domain events: each writes the notifications the event calls for.

They run inside the transaction that sent the event (inbox.services
.notifications_write), so a notification exists exactly when the change
committed. Keys name the event and the recipient, so an event handled twice
writes nothing new.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from alliances import events as alliance_events
from grids.selectors import contacts_for, staff_in_charge
from inbox import counts
from inbox.models import Kind
from inbox.services import Note, notifications_write
from portal.text import place_name
from volunteers import events as volunteer_events
from wishes import events as wish_events
from wishes import selectors as wish_selectors
from wishes.services import public_claimant_label

TEXT_LENGTH = 20


def _short(text, length=TEXT_LENGTH):
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _place(wish):
    if wish.grid_id != wish.community_id and wish.grid.kind == "grid":
        return place_name(wish.community.name, wish.grid.name)
    return wish.community.name


def _local(value, pattern="%m-%d %H:%M"):
    return timezone.localtime(value).strftime(pattern)


def _wish_link(user, wish):
    """The review page for those who review wishes; the public wish page for a grid worker."""
    if user.has_perm("wishes.review_wish"):
        return reverse("wishes:review_detail", args=[wish.pk])
    return reverse("wishes:detail", args=[wish.pk])


# --- the resident (by phone) ----------------------------------------------------------------------


def _tell_resident(kind, wish, event, *, followers=False, **params):
    """The wish's resident, and with `followers` everyone following it, each with their own code."""
    notes = []
    for phone, code, is_owner in wish_selectors.resident_phones(wish):
        if not is_owner and not followers:
            continue
        values = {"code": code, **params}
        if not is_owner:
            values["v"] = "follower"
        notes.append(
            Note(
                key=f"{kind}:{event.pk}:{code}",
                phone=phone,
                params=values,
                link=reverse("wishes:track", args=[code]),
                grid_id=wish.grid_id,
            )
        )
    notifications_write(kind=kind, notes=notes)


def on_any_wish_event(sender, *, wish, **kwargs):
    # Whatever happens to a wish may change its grid staff's and secretaries'
    # to-do (a new wish to review, a resident's report settled by a
    # confirmation) even when nobody is told: drop what is kept for them, so
    # their to-do and count show it at once.
    in_charge = [user.pk for user in staff_in_charge(wish.grid)]
    transaction.on_commit(lambda: counts.forget(in_charge))


def on_wish_published(sender, *, wish, event, **kwargs):
    _tell_resident(Kind.WISH_PUBLISHED, wish, event)


def on_wish_rejected(sender, *, wish, event, **kwargs):
    _tell_resident(Kind.WISH_REJECTED, wish, event, reason=_short(event.note, 60))


def on_wish_claimed(sender, *, wish, claim, event, **kwargs):
    claimant = public_claimant_label(claim)
    params = {"claimant": claimant}
    if wish.contact_consent:
        params["v"] = "direct"
    _tell_resident(Kind.WISH_CLAIMED, wish, event, followers=True, **params)
    # The grid's workers (or the secretary) are the ones the claimant will call.
    notes = [
        Note(
            key=f"{Kind.GRID_WISH_CLAIMED}:{event.pk}:{contact.user.pk}",
            recipient=contact.user,
            params={"place": _place(wish), "text": _short(wish.shown_text), "claimant": claimant},
            link=_wish_link(contact.user, wish),
            grid_id=wish.grid_id,
        )
        for contact in contacts_for(wish.grid)
        if contact.user.pk != claim.claimed_by_id
    ]
    notifications_write(kind=Kind.GRID_WISH_CLAIMED, notes=notes)


def on_claim_withdrawn(sender, *, wish, claim, event, **kwargs):
    _tell_resident(Kind.CLAIM_WITHDRAWN, wish, event)


def on_claim_fulfilled(sender, *, wish, claim, event, **kwargs):
    _tell_resident(Kind.CLAIM_FULFILLED, wish, event, followers=True)


def on_wish_closed(sender, *, wish, event, automatic, **kwargs):
    if not automatic:  # staff closed it, with a reason for the resident
        _tell_resident(Kind.WISH_CLOSED, wish, event, reason=_short(event.note, 60))


# --- claimants and staff -----------------------------------------------------------------------------


def _claimant_notes(kind, claim, key_part, params):
    users = wish_selectors.claimant_users([claim]).get(claim.pk, [])
    return [
        Note(
            key=f"{kind}:{key_part}:{user.pk}",
            recipient=user,
            params=params,
            link=reverse("wishes:claim_detail", args=[claim.pk]),
            grid_id=claim.wish.grid_id,
        )
        for user in users
    ]


def on_claim_confirmed(sender, *, wish, claim, event, **kwargs):
    params = {"text": _short(wish.shown_text), "rating": claim.rating}
    if claim.comment:
        params.update(comment=_short(claim.comment, 60), v="comment")
    notifications_write(
        kind=Kind.CLAIM_CONFIRMED, notes=_claimant_notes(Kind.CLAIM_CONFIRMED, claim, claim.pk, params)
    )


def on_wish_not_done(sender, *, wish, claim, event, reason, **kwargs):
    text, reason = _short(wish.shown_text), _short(reason, 60)
    notes = _claimant_notes(Kind.WISH_NOT_DONE, claim, event.pk, {"text": text, "reason": reason})
    told = {note.recipient.pk for note in notes}
    notes += [
        Note(
            key=f"{Kind.WISH_NOT_DONE}:{event.pk}:{user.pk}",
            recipient=user,
            params={"place": _place(wish), "text": text, "reason": reason, "v": "staff"},
            link=_wish_link(user, wish),
            grid_id=wish.grid_id,
        )
        for user in staff_in_charge(wish.grid)
        if user.pk not in told
    ]
    notifications_write(kind=Kind.WISH_NOT_DONE, notes=notes)


def on_wishes_overdue(sender, *, wish_ids, **kwargs):
    wishes = wish_selectors.wishes_by_ids(wish_ids)
    staff_by_grid = {}
    notes = []
    for wish in wishes:
        if wish.grid_id not in staff_by_grid:
            staff_by_grid[wish.grid_id] = staff_in_charge(wish.grid)
        for user in staff_by_grid[wish.grid_id]:
            notes.append(
                Note(
                    key=f"{Kind.WISH_OVERDUE}:{wish.pk}:{user.pk}",
                    recipient=user,
                    params={
                        "place": _place(wish),
                        "text": _short(wish.shown_text),
                        "date": f"{wish.wanted_by:%Y-%m-%d}",
                    },
                    link=_wish_link(user, wish),
                    grid_id=wish.grid_id,
                )
            )
    notifications_write(kind=Kind.WISH_OVERDUE, notes=notes)


def on_tracking_code_requested(sender, *, phone, otp, minutes, **kwargs):
    now = timezone.now()
    note = Note(
        key=f"{Kind.TRACKING_CODE}:{phone}:{now.timestamp():.6f}",
        phone=phone,
        params={"otp": otp, "minutes": minutes},
    )
    notifications_write(kind=Kind.TRACKING_CODE, notes=[note], now=now)


# --- volunteers and alliances ------------------------------------------------------------------------


def on_activity_cancelled(sender, *, activity, volunteer_ids, **kwargs):
    from volunteers.selectors import users_of_volunteers

    params = {"title": _short(activity.title, 30), "time": _local(activity.starts_at)}
    notes = [
        Note(
            key=f"{Kind.ACTIVITY_CANCELLED}:{activity.pk}:{user.pk}",
            recipient=user,
            params=params,
            link=reverse("volunteers:activity_detail", args=[activity.pk]),
            grid_id=activity.community_id,
        )
        for user in users_of_volunteers(volunteer_ids)
    ]
    notifications_write(kind=Kind.ACTIVITY_CANCELLED, notes=notes)


def on_project_matched(sender, *, project, need, offer=None, **kwargs):
    params = {
        "resource": _short(project.resource.title, 30) if project.resource_id else "",
        "community": need.community.name,
        "need": _short(need.title, 30),
        "project": _short(project.title, 30),
    }
    if offer is not None:
        params["v"] = "offer"
        _offer_settled(need)
    notes = [
        Note(
            key=f"{Kind.PROJECT_MATCHED}:{project.pk}:{user.pk}",
            recipient=user,
            params=params,
            link=reverse("alliances:project_detail", args=[project.pk]),
            grid_id=project.community_id,
        )
        for user in project.lead_unit.liaisons.filter(is_active=True)
    ]
    notifications_write(kind=Kind.PROJECT_MATCHED, notes=notes)


def on_meeting_scheduled(sender, *, meeting, **kwargs):
    from alliances.selectors import liaisons_of_alliance

    if meeting.held_at <= timezone.now():
        return  # a past meeting entered for the record: nobody needs to come

    params = {
        "alliance": meeting.alliance.name,
        "time": _local(meeting.held_at, "%Y-%m-%d %H:%M"),
        "place": meeting.place or "—",
        "title": _short(meeting.title, 30),
    }
    notes = [
        Note(
            key=f"{Kind.MEETING_SCHEDULED}:{meeting.pk}:{user.pk}",
            recipient=user,
            params=params,
            link=reverse("alliances:meeting_detail", args=[meeting.pk]),
            grid_id=meeting.alliance.grid_id,
        )
        for user in liaisons_of_alliance(meeting.alliance, timezone.localtime(meeting.held_at).date())
    ]
    notifications_write(kind=Kind.MEETING_SCHEDULED, notes=notes)


def on_need_offered(sender, *, offer, **kwargs):
    from alliances.selectors import offer_deciders

    need = offer.need
    params = {"unit": offer.unit.name, "community": need.community.name, "need": _short(need.title, 30)}
    notes = [
        Note(
            key=f"{Kind.NEED_OFFERED}:{offer.pk}:{user.pk}",
            recipient=user,
            params=params,
            link=reverse("alliances:need_detail", args=[need.pk]) + f"#offer-{offer.pk}",
            grid_id=need.community_id,
        )
        for user in offer_deciders(need)
    ]
    notifications_write(kind=Kind.NEED_OFFERED, notes=notes)


def on_need_offer_declined(sender, *, offer, **kwargs):
    need = offer.need
    params = {
        "community": need.community.name,
        "need": _short(need.title, 30),
        "reason": _short(offer.decline_reason, 60),
    }
    notes = [
        Note(
            key=f"{Kind.NEED_OFFER_DECLINED}:{offer.pk}:{user.pk}",
            recipient=user,
            params=params,
            link=reverse("alliances:need_detail", args=[need.pk]) + f"#offer-{offer.pk}",
            grid_id=need.community_id,
        )
        for user in offer.unit.liaisons.filter(is_active=True).order_by("pk")
    ]
    notifications_write(kind=Kind.NEED_OFFER_DECLINED, notes=notes)
    _offer_settled(need)


def _offer_settled(need):
    # A settled offer leaves the to-do of every staff member who could have decided it.
    from alliances.selectors import offer_deciders

    deciders = [user.pk for user in offer_deciders(need)]
    transaction.on_commit(lambda: counts.forget(deciders))


_RECEIVERS = [
    *[
        (signal, on_any_wish_event)
        for signal in (
            wish_events.wish_submitted,
            wish_events.wish_published,
            wish_events.wish_rejected,
            wish_events.wish_claimed,
            wish_events.claim_withdrawn,
            wish_events.claim_fulfilled,
            wish_events.claim_confirmed,
            wish_events.wish_not_done,
            wish_events.wish_closed,
        )
    ],
    (wish_events.wish_published, on_wish_published),
    (wish_events.wish_rejected, on_wish_rejected),
    (wish_events.wish_claimed, on_wish_claimed),
    (wish_events.claim_withdrawn, on_claim_withdrawn),
    (wish_events.claim_fulfilled, on_claim_fulfilled),
    (wish_events.claim_confirmed, on_claim_confirmed),
    (wish_events.wish_not_done, on_wish_not_done),
    (wish_events.wish_closed, on_wish_closed),
    (wish_events.wishes_overdue, on_wishes_overdue),
    (wish_events.tracking_code_requested, on_tracking_code_requested),
    (volunteer_events.activity_cancelled, on_activity_cancelled),
    (alliance_events.project_matched, on_project_matched),
    (alliance_events.meeting_scheduled, on_meeting_scheduled),
    (alliance_events.need_offered, on_need_offered),
    (alliance_events.need_offer_declined, on_need_offer_declined),
]


def connect():
    for signal, receiver in _RECEIVERS:
        signal.connect(receiver, dispatch_uid=f"inbox.{receiver.__name__}.{id(signal)}")
