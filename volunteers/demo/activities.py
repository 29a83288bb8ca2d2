"""The demo's eight months of activities, sign-ups, attendance, verified service records and their points."""

import datetime

from django.utils import timezone

from points.services import Award, points_award_bulk
from portal.models import StaffProfile
from volunteers import services
from volunteers.demo.data import (
    ACTIVITY_DAYS,
    ACTIVITY_TEMPLATES,
    START_TIMES,
    TARGET_PERSON_TIMES,
    UNVERIFIED_DAYS,
)
from volunteers.models import (
    Activity,
    ServiceRecord,
    SignUp,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
)


class _People:
    """Who comes to a team's activities: its members first, then anyone, the keen ones more often."""

    def __init__(self, ctx, rng):
        self.rng = rng
        self.everyone = list(
            Volunteer.objects.filter(community__in=ctx.communities).select_related("community").order_by("pk")
        )
        # A few keen volunteers serve far more often than most: they are the stars.
        weight = {v.pk: rng.choice((1, 1, 1, 2, 2, 3, 5, 8)) for v in self.everyone}
        self.pool = [v.pk for v in self.everyone for _ in range(weight[v.pk])]
        self.members = {}
        for m in TeamMembership.objects.filter(team__community__tree_id=ctx.street.tree_id, status="active"):
            self.members.setdefault(m.team_id, []).append(m.volunteer_id)
        self.by_pk = {v.pk: v for v in self.everyone}
        self.busy = set()  # (volunteer id, day): one activity a day each

    def pick(self, team, day, count):
        chosen, tries = [], 0
        members = self.members.get(team.pk, [])
        while len(chosen) < count and tries < count * 8:
            tries += 1
            if members and self.rng.random() < 0.6:
                pk = self.rng.choice(members)
            else:
                pk = self.rng.choice(self.pool)
            if (pk, day) in self.busy or pk in chosen:
                continue
            self.busy.add((pk, day))
            chosen.append(pk)
        return [self.by_pk[pk] for pk in chosen]


def activities(ctx):
    rng = ctx.rng_for("activities")
    # In creation order: team 1, led by volunteer1, gets today's activity.
    teams = list(
        VolunteerTeam.objects.filter(community__tree_id=ctx.street.tree_id)
        .select_related("leader__user")
        .order_by("pk")
    )
    people = _People(ctx, rng)
    secretaries = {
        p.scope_id: p.user
        for p in StaffProfile.objects.filter(scope__in=ctx.communities + [ctx.street]).select_related("user")
    }
    plan = _plan(ctx, rng, teams)
    activities = [a for a, _fill in plan]
    Activity.objects.bulk_create(activities, batch_size=1000)
    signups, records = [], []
    for activity, fill in plan:
        _attend(ctx, rng, people, secretaries, activity, fill, signups, records)
    SignUp.objects.bulk_create(signups, batch_size=5000)
    for activity in activities:
        activity.signed_up_count = sum(1 for s in activity._signups if s.status == "active")
    Activity.objects.bulk_update(activities, ["signed_up_count"], batch_size=1000)
    ServiceRecord.objects.bulk_create(records, batch_size=5000)
    entries = _points(ctx, records)
    ctx.count("activities", len(activities))
    ctx.count("sign-ups", len(signups))
    ctx.count("service person-times", sum(1 for r in records if r.hours > 0))
    ctx.count("points entries", entries)


def _plan(ctx, rng, teams):
    """(activity, share of places taken) for eight months past and two weeks ahead."""
    today = timezone.localdate(ctx.now)
    per_day = TARGET_PERSON_TIMES / ACTIVITY_DAYS / 20.5  # ~20 serve at an average activity
    plan = []
    for offset in range(-ACTIVITY_DAYS, 15):
        day = today + datetime.timedelta(days=offset)
        count = int(per_day) + (1 if rng.random() < per_day % 1 else 0)
        for _ in range(count):
            plan.append(_activity(ctx, rng, rng.choice(teams), day))
    # One running today for team 1 (volunteer1 leads it), ready for check-in.
    now = timezone.localtime(ctx.now)
    start = now.replace(minute=0, second=0, microsecond=0) - datetime.timedelta(minutes=30)
    plan.append(_activity(ctx, rng, teams[0], start.date(), start=start, hours=3, capacity=15))
    return [(a, _fill(rng, a, ctx.now)) for a in plan]


def _activity(ctx, rng, team, day, start=None, hours=None, capacity=None):
    category, title, content = rng.choice(ACTIVITY_TEMPLATES)
    if start is None:
        hour, minute = rng.choice(START_TIMES)
        start = timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute))
    hours = hours or rng.choice((1.5, 2, 2, 2.5, 3, 3, 4))
    community = team.community if team.community.parent_id else rng.choice(ctx.communities)
    return Activity(
        title=title,
        team=team,
        community=community,
        place=rng.choice(
            (f"{community.name}红色驿站", f"{community.name}党群服务中心", f"{community.name}小区广场")
        ),
        category=category,
        content=content,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=hours),
        capacity=capacity or rng.choice((10, 15, 20, 20, 25, 30, 30, 40)),
        signup_opens_at=start - datetime.timedelta(days=rng.randint(5, 12)),
        signup_closes_at=start - datetime.timedelta(hours=rng.choice((1, 2, 12))),
        created_by=team.leader.user if team.leader and team.leader.user else None,
    )


def _fill(rng, activity, now):
    if activity.starts_at > now + datetime.timedelta(days=3):
        return rng.uniform(0.1, 0.7)
    if rng.random() < 0.15:
        return 1.0
    return rng.uniform(0.75, 1.0)


def _attend(ctx, rng, people, secretaries, activity, fill, signups, records):
    day = timezone.localdate(activity.starts_at)
    wanted = max(1, round(activity.capacity * fill))
    chosen = people.pick(activity.team, day, wanted)
    activity._signups = []
    for volunteer in chosen:
        signup = SignUp(
            activity=activity,
            volunteer=volunteer,
            signed_up_at=activity.signup_opens_at
            + (activity.signup_closes_at - activity.signup_opens_at) * rng.random(),
        )
        if rng.random() < 0.04 and activity.starts_at > ctx.now:
            signup.status, signup.cancelled_at = (
                "cancelled",
                signup.signed_up_at + datetime.timedelta(hours=5),
            )
        activity._signups.append(signup)
        signups.append(signup)
    if activity.starts_at > ctx.now:
        return
    running = activity.ends_at > ctx.now
    leader = activity.team.leader
    for signup in activity._signups:
        record = _record(ctx, rng, activity, signup.volunteer, running)
        if record is None:
            continue
        if not running and activity.ends_at < ctx.now - datetime.timedelta(days=UNVERIFIED_DAYS):
            own = leader is not None and leader.pk == signup.volunteer.pk
            verifier = secretaries.get(activity.community_id) if own or not leader else leader.user
            record.verified_by = verifier or secretaries.get(ctx.street.pk)
            delay = datetime.timedelta(hours=rng.randint(1, 72))
            record.verified_at = min(activity.ends_at + delay, ctx.now)
        records.append(record)


def _record(ctx, rng, activity, volunteer, running):
    record = ServiceRecord(
        activity=activity,
        volunteer=volunteer,
        team=activity.team,
        community=activity.community,
        service_date=timezone.localdate(activity.starts_at),
        place=activity.place,
        content=f"{activity.get_category_display()}：{activity.title}",
        source=rng.choice(("qr", "qr", "qr", "organiser")),
        recorded_by=activity.created_by,
        recorded_at=activity.starts_at,
    )
    roll = rng.random()
    if running:
        if roll < 0.4:
            return None  # not here yet
        record.started_at = activity.starts_at + datetime.timedelta(minutes=rng.randint(-20, 10))
        return record
    if roll < 0.02:
        record.attendance, record.source = "leave", "organiser"
        return record
    if roll < 0.04:
        record.attendance, record.source = "absent", "organiser"
        return record
    late = roll > 0.96
    record.attendance = "late" if late else "normal"
    record.started_at = activity.starts_at + datetime.timedelta(
        minutes=rng.randint(20, 50) if late else rng.randint(-20, 5)
    )
    record.ended_at = activity.ends_at + datetime.timedelta(
        minutes=rng.randint(-30, 0) if rng.random() < 0.1 else 0
    )
    record.hours = services.service_hours(activity, record.started_at, record.ended_at)
    return record


def _points(ctx, records):
    """activity_hour points for the verified hours, booked when verified, as the service does."""
    return points_award_bulk(
        awards=(
            Award("activity_hour", r.volunteer, r, r.verified_at, r.hours)
            for r in records
            if r.verified_at is not None and r.hours > 0
        )
    )
