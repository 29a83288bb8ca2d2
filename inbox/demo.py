"""Demo to-do and notifications for the first login of each role in a street.

Runs after every other seeder. The first volunteer login gets places in the
activities of the coming days and two open claims made through the services
(one of them sent back by its resident with a reason), so its to-do, its
secretary's and its grid worker's show the hand-off; the rest of the
messages are history drawn from the demo data (confirmed claims, overdue
wishes, claims in a grid, meetings ahead, matched projects), some read.

Nothing is sent: every delivery made while seeding is marked sent, so a
portal with a real SMS backend never texts the made-up numbers. Keys make it
idempotent: a second run writes nothing new.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from alliances.models import JointMeeting, Project
from grids.models import Grid, GridAssignment
from inbox.models import Delivery, Kind, Notification, SendStatus
from portal.models import User
from portal.text import place_name
from volunteers import services as volunteer_services
from volunteers.models import Activity, SignUp, Volunteer
from wishes import services as wish_services
from wishes.models import Claim, Wish

RETURN_REASON = "约好的周六上午没人来，水龙头还在漏水"


def seed_street(ctx):
    logins = {
        prefix: _first(ctx, prefix) for prefix in ("street", "secretary", "gridworker", "volunteer", "unit")
    }
    _community_phones(ctx)
    volunteer_user = logins["volunteer"]
    volunteer = Volunteer.objects.filter(user=volunteer_user).select_related("community").first()
    if volunteer is not None:
        _signups(ctx, volunteer)
        _handoff(ctx, volunteer)
    notes = []
    notes += _volunteer_history(volunteer_user, volunteer)
    notes += _staff_history(logins["secretary"], logins["gridworker"])
    notes += _unit_history(logins["unit"], ctx)
    before = Notification.objects.count()
    Notification.objects.bulk_create(notes, ignore_conflicts=True)
    ctx.count("notifications", Notification.objects.count() - before)
    # Never send what seeding made: with a real SMS backend these are made-up numbers.
    Delivery.objects.filter(status__in=[SendStatus.PENDING, SendStatus.HELD]).filter(
        created_at__gte=ctx.now - datetime.timedelta(minutes=1)
    ).update(status=SendStatus.SENT, sent_at=timezone.now(), provider_ref="demo")


def _first(ctx, prefix):
    names = ctx.logins.get(prefix) or []
    return User.objects.filter(username=names[0]).first() if names else None


def _community_phones(ctx):
    """An office phone for each community, shown to residents and claimants."""
    for n, community in enumerate(ctx.communities, 1):
        if not community.phone:
            Grid.objects.filter(pk=community.pk).update(
                phone=f"0931-8{ctx.index:02d}{n:02d}{n * 7 % 100:02d}0"
            )


def _signups(ctx, volunteer):
    """Places in up to three activities of the coming week, the first one soon."""
    now = timezone.now()
    if SignUp.objects.filter(volunteer=volunteer, activity__starts_at__gt=now).count() >= 3:
        return
    upcoming = (
        Activity.objects.filter(
            community__tree_id=volunteer.community.tree_id,
            status=Activity.Status.PUBLISHED,
            members_only=False,
            starts_at__gt=now,
            starts_at__lt=now + datetime.timedelta(days=7),
            signup_opens_at__lte=now,
            signup_closes_at__gt=now,
        )
        .exclude(signups__volunteer=volunteer)
        .order_by("starts_at")
    )
    for activity in upcoming[:12]:
        if not activity.places_left:
            continue
        try:
            with transaction.atomic():
                volunteer_services.signup_create(activity=activity, volunteer=volunteer)
        except ValidationError:
            continue  # at the same time as one already taken
        if SignUp.objects.filter(volunteer=volunteer, activity__starts_at__gt=now).count() >= 3:
            return


def _handoff(ctx, volunteer):
    """Two claims in the volunteer's community: one to do, one the resident sent back."""
    user = volunteer.user
    if Claim.objects.filter(volunteer=volunteer, returned_at__isnull=False).exists():
        return
    today = timezone.localdate()
    open_wishes = (
        Wish.objects.filter(community=volunteer.community, status=Wish.Status.PUBLISHED, slots=1)
        .filter(wanted_by__gt=today, wanted_by__lte=today + datetime.timedelta(days=20))
        .exclude(claims__volunteer=volunteer)
        .order_by("wanted_by", "pk")
    )
    picked = list(open_wishes[:2])
    if len(picked) < 2:
        return
    Wish.objects.filter(pk=picked[1].pk).update(contact_consent=True)
    wish_services.wish_claim(wish=picked[0], user=user, claimant=volunteer)
    returned = wish_services.wish_claim(wish=picked[1], user=user, claimant=volunteer)
    wish_services.claim_fulfil(claim=returned, user=user, note="已上门看过，换了一个新的水龙头垫片。")
    wish_services.wish_report_not_done(wish=picked[1], claim=returned, reason=RETURN_REASON)


def _note(user, kind, key, params, link, at, read, grid_id=None):
    return Notification(
        recipient=user,
        kind=kind,
        key=f"demo:{kind}:{key}:{user.pk}",
        params=params,
        link=link,
        grid_id=grid_id,
        created_at=at,
        read_at=at + datetime.timedelta(hours=2) if read else None,
    )


def _ago(days, hours=0):
    return timezone.now() - datetime.timedelta(days=days, hours=hours)


def _short(text, length=20):
    return text if len(text) <= length else text[: length - 1] + "…"


def _volunteer_history(user, volunteer):
    if user is None or volunteer is None:
        return []
    notes = []
    confirmed = Claim.objects.filter(volunteer=volunteer, status=Claim.Status.CONFIRMED).select_related(
        "wish"
    )
    for n, claim in enumerate(confirmed.order_by("-confirmed_at")[:3]):
        params = {"text": _short(claim.wish.shown_text), "rating": claim.rating}
        if claim.comment:
            params.update(comment=_short(claim.comment, 40), v="comment")
        notes.append(
            _note(
                user,
                Kind.CLAIM_CONFIRMED,
                claim.pk,
                params,
                reverse("wishes:claim_detail", args=[claim.pk]),
                _ago(n * 3 + 2),
                n > 0,
            )
        )
    soon = (
        SignUp.objects.filter(
            volunteer=volunteer, status=SignUp.Status.ACTIVE, activity__starts_at__gt=timezone.now()
        )
        .select_related("activity")
        .order_by("activity__starts_at")
        .first()
    )
    if soon is not None:
        activity = soon.activity
        notes.append(
            _note(
                user,
                Kind.ACTIVITY_REMINDER,
                activity.pk,
                {
                    "title": _short(activity.title, 30),
                    "time": f"{timezone.localtime(activity.starts_at):%H:%M}",
                    "place": activity.place[:30],
                },
                reverse("volunteers:activity_detail", args=[activity.pk]),
                _ago(0, 3),
                False,
                activity.community_id,
            )
        )
    return notes


def _staff_history(secretary, worker):
    notes = []
    if secretary is not None and secretary.staff_profile:
        community = secretary.staff_profile.scope
        overdue = Wish.objects.filter(
            community=community, status=Wish.Status.PUBLISHED, overdue_at__isnull=False
        )
        for n, wish in enumerate(overdue.select_related("grid", "community").order_by("-overdue_at")[:3]):
            notes.append(
                _note(
                    secretary,
                    Kind.WISH_OVERDUE,
                    wish.pk,
                    {
                        "place": place_name(
                            community.name, wish.grid.name if wish.grid_id != community.pk else None
                        ),
                        "text": _short(wish.shown_text),
                        "date": f"{wish.wanted_by:%Y-%m-%d}",
                    },
                    reverse("wishes:review_detail", args=[wish.pk]),
                    _ago(n + 1),
                    n > 0,
                    wish.grid_id,
                )
            )
    if worker is not None:
        grids = GridAssignment.objects.filter(person=worker).values("grid_id")
        claims = (
            Claim.objects.filter(wish__grid__in=grids)
            .filter(Q(volunteer__isnull=False) | Q(team__isnull=False) | Q(unit__isnull=False))
            .select_related("wish__grid", "wish__community", "volunteer", "team", "unit")
            .order_by("-claimed_at")[:3]
        )
        for n, claim in enumerate(claims):
            wish = claim.wish
            notes.append(
                _note(
                    worker,
                    Kind.GRID_WISH_CLAIMED,
                    claim.pk,
                    {
                        "place": place_name(wish.community.name, wish.grid.name),
                        "text": _short(wish.shown_text),
                        "claimant": wish_services.public_claimant_label(claim),
                    },
                    reverse("wishes:detail", args=[wish.pk]),
                    _ago(n * 2 + 1),
                    n > 0,
                    wish.grid_id,
                )
            )
    return notes


def _unit_history(user, ctx):
    if user is None:
        return []
    units = list(user.liaison_units.all())
    if not units:
        return []
    notes = []
    meeting = (
        JointMeeting.objects.filter(
            alliance__memberships__unit__in=units,
            status=JointMeeting.Status.PLANNED,
            held_at__gt=timezone.now(),
        )
        .select_related("alliance")
        .order_by("held_at")
        .first()
    )
    if meeting is not None:
        notes.append(
            _note(
                user,
                Kind.MEETING_SCHEDULED,
                meeting.pk,
                {
                    "alliance": meeting.alliance.name,
                    "time": f"{timezone.localtime(meeting.held_at):%Y-%m-%d %H:%M}",
                    "place": meeting.place or "—",
                    "title": _short(meeting.title, 30),
                },
                reverse("alliances:meeting_detail", args=[meeting.pk]),
                _ago(1, 5),
                False,
                meeting.alliance.grid_id,
            )
        )
    project = (
        Project.objects.filter(lead_unit__in=units, need__isnull=False, resource__isnull=False)
        .select_related("need__community", "resource")
        .order_by("-created_at")
        .first()
    )
    if project is not None:
        notes.append(
            _note(
                user,
                Kind.PROJECT_MATCHED,
                project.pk,
                {
                    "resource": _short(project.resource.title, 30),
                    "community": project.need.community.name,
                    "need": _short(project.need.title, 30),
                    "project": _short(project.title, 30),
                },
                reverse("alliances:project_detail", args=[project.pk]),
                _ago(6),
                True,
                project.community_id,
            )
        )
    return notes
