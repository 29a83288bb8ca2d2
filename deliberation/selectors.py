"""Scoped reads for deliberation, the public notice, the tallies and the numbers others ask for."""

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404

from deliberation.models import Resolution, Session, Topic, Vote
from grids.models import Grid, Household
from portal.scoping import aggregate_in, scope_queryset


def topics_visible_to(user):
    return scope_queryset(Topic.objects.select_related("community", "grid"), user)


def get_topic_for_user_or_404(user, pk):
    return get_object_or_404(topics_visible_to(user), pk=pk)


def topics_to_vet_for(user):
    """Topics waiting for the community's party organisation, oldest first."""
    return topics_visible_to(user).filter(status=Topic.Status.SUBMITTED).order_by("created_at", "pk")


def topic_by_code(code):
    return Topic.objects.select_related("community", "grid").filter(code=code).first()


def sessions_of(topic):
    return list(topic.sessions.order_by("held_at", "pk"))


def add_tallies(sessions):
    """Set `tally` on each session with a question: {choice: ballots, "cast", "eligible"}; None otherwise.

    One grouped query for every ballot of the page, and one count of households per community.
    """
    voted = [session for session in sessions if session.vote_question]
    for session in sessions:
        session.tally = None
    if not voted:
        return sessions
    counts = {}
    rows = Vote.objects.filter(session__in=voted).values_list("session_id", "choice").annotate(n=Count("pk"))
    for session_id, choice, n in rows:
        counts.setdefault(session_id, {})[choice] = n
    eligible = dict(
        Household.objects.filter(grid__parent_id__in={s.community_id for s in voted})
        .values_list("grid__parent_id")
        .annotate(n=Count("pk"))
        .values_list("grid__parent_id", "n")
    )
    for session in voted:
        mine = counts.get(session.pk, {})
        session.tally = {choice: mine.get(choice, 0) for choice in Vote.Choice.values}
        session.tally["cast"] = sum(mine.values())
        session.tally["eligible"] = eligible.get(session.community_id, 0)
    return sessions


def my_resolutions(user):
    """Resolutions the user owns that are not carried out yet, soonest due first."""
    return (
        Resolution.objects.filter(owner=user, status=Resolution.Status.OPEN)
        .select_related("topic", "community", "case")
        .order_by("due_date", "pk")
    )


def get_my_resolution_or_404(user, pk):
    return get_object_or_404(my_resolutions(user), pk=pk)


def notice_community_or_404(code):
    return get_object_or_404(Grid.objects.filter(kind=Grid.Kind.COMMUNITY), code=code)


def notice(community):
    """A community's public notice (公示): matters accepted, their sessions and resolutions. No personal data."""
    return (
        Topic.objects.filter(community=community, status__in=Topic.PUBLIC_STATUSES)
        .only("pk", "title", "status", "vet_reason", "vetted_at", "created_at", "community_id")
        .prefetch_related(
            Prefetch("sessions", queryset=Session.objects.order_by("held_at", "pk")),
            Prefetch(
                "resolutions",
                queryset=Resolution.objects.select_related("case").only(
                    "pk",
                    "topic_id",
                    "text",
                    "due_date",
                    "status",
                    "progress",
                    "progress_at",
                    "done_at",
                    "case__code",
                ),
            ),
        )
        .order_by("-vetted_at", "-pk")
    )


DELIBERATION_COUNTS = ("topics", "accepted", "sessions", "resolutions", "resolutions_done")


def deliberation_counts(scope, start, end):
    """Topics raised, accepted and sessions held between `start` and `end` (dates) inside `scope`."""
    topics = aggregate_in(
        Topic.objects.filter(created_at__date__gte=start, created_at__date__lt=end),
        scope,
        {"topics": Count("pk"), "accepted": Count("pk", filter=~Q(status__in=["submitted", "declined"]))},
    )
    sessions = aggregate_in(
        Session.objects.filter(held_at__date__gte=start, held_at__date__lt=end),
        scope,
        {"sessions": Count("pk")},
    )
    resolutions = aggregate_in(
        Resolution.objects.filter(created_at__date__gte=start, created_at__date__lt=end),
        scope,
        {"resolutions": Count("pk"), "resolutions_done": Count("pk", filter=Q(status="done"))},
    )
    return {key: ({**topics, **sessions, **resolutions}).get(key) or 0 for key in DELIBERATION_COUNTS}
