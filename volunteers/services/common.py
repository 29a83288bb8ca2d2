"""What the volunteers' services share: the activity lock, its live sign-ups, the street rule."""

from django.utils import timezone

from volunteers.models import Activity, SignUp


def lock_activity(activity):
    """The activity row, locked: it guards capacity and attendance."""
    return (
        Activity.objects.select_for_update()
        .select_related("team__community", "community")
        .get(pk=activity.pk)
    )


def active_signups(activity):
    """The sign-ups that hold a place."""
    return SignUp.objects.filter(activity=activity, status=SignUp.Status.ACTIVE)


def local_time(value):
    """A moment as people read it on the page: local month-day hour:minute."""
    return timezone.localtime(value).strftime("%m-%d %H:%M")


def same_street(volunteer, node):
    """Whether a grid node lies in the street of the volunteer's home community."""
    home = volunteer.community
    return node.tree_id == home.tree_id
