"""What the alliance, unit and project pages show beside the object itself."""

from django.utils import timezone

from alliances.models import (
    ChairTerm,
    ProjectUpdate,
)
from portal.months import add_months, month_start


def alliance_members(alliance, on=None):
    """Current members first (by joining date, then name), then those who left."""
    on = on or timezone.localdate()
    memberships = list(alliance.memberships.select_related("unit__grid").order_by("joined_on", "unit__name"))
    current = [m for m in memberships if m.is_member_on(on)]
    former = [m for m in memberships if not m.is_member_on(on)]
    return current, former


def chair_schedule(alliance, around=None, before=3, after=12):
    """The chair terms from `before` months ago to `after` months ahead."""
    current = month_start(around or timezone.localdate())
    return list(
        ChairTerm.objects.filter(
            alliance=alliance,
            month__gte=add_months(current, -before),
            month__lt=add_months(current, after),
        )
        .select_related("unit")
        .order_by("month")
    )


def project_timeline(project):
    """Updates (newest first) with their photos, and the status history."""
    updates = (
        ProjectUpdate.objects.filter(project=project)
        .select_related("unit", "posted_by")
        .prefetch_related("photos")
        .order_by("-posted_at", "-pk")
    )
    return list(updates), list(project.status_changes.select_related("changed_by"))
