"""Staff's reads of wishes, by the one scoping rule: the review queue, overdue wishes, counts."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from grids.models import Grid
from portal.scoping import scope_queryset
from wishes.models import Wish


def wishes_visible_to(user):
    return scope_queryset(Wish.objects.select_related("grid", "community", "household"), user)


def get_wish_for_user_or_404(user, pk):
    return get_object_or_404(wishes_visible_to(user), pk=pk)


def review_queue(user):
    """Submitted wishes in the user's subtree, oldest first."""
    return wishes_visible_to(user).filter(status=Wish.Status.SUBMITTED).order_by("submitted_at", "pk")


def overdue_wishes(user):
    """Published wishes past their wanted-by date that nobody claimed (flagged by the daily job)."""
    return (
        wishes_visible_to(user)
        .filter(status=Wish.Status.PUBLISHED, overdue_at__isnull=False)
        .order_by("wanted_by", "pk")
    )


def staff_counts(user):
    """Numbers for the staff pages: waiting review, overdue, waiting for the resident."""
    counts = scope_queryset(Wish.objects.all(), user).aggregate(
        waiting=Count("pk", filter=Q(status=Wish.Status.SUBMITTED)),
        overdue=Count("pk", filter=Q(status=Wish.Status.PUBLISHED, overdue_at__isnull=False)),
        unconfirmed=Count("pk", filter=Q(status=Wish.Status.FULFILLED)),
    )
    return counts


def scope_communities(user):
    """Communities inside the user's scope, for the QR sheets."""
    return scope_queryset(Grid.objects.filter(kind=Grid.Kind.COMMUNITY), user).order_by("code")


def same_phone_wishes(wish, user):
    """Other wishes from the same phone number in the user's scope, for staff spotting duplicates."""
    return wishes_visible_to(user).filter(phone=wish.phone).exclude(pk=wish.pk).order_by("-submitted_at")[:5]
