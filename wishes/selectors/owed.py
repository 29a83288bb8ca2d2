"""What people owe next on wishes, for the to-do: to review, overdue, sent back, to fulfil."""

import datetime

from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from portal.scoping import scope_queryset
from wishes.models import Claim, Wish
from wishes.selectors.claimants import claimant_filter, claims_of
from wishes.selectors.scoped import wishes_visible_to


def claims_to_fulfil(user, claimants):
    """Claims of the user's claimants still to be done, nearest wanted-by first; returned ones first."""
    if not claimants:
        return Claim.objects.none()
    return (
        Claim.objects.filter(claimant_filter(claimants), status=Claim.Status.CLAIMED)
        .select_related("wish__community", "wish__grid")
        .order_by(F("returned_at").desc(nulls_last=True), "wish__wanted_by", "pk")
    )


def unclaimed_wishes(user, today, soon_days=3):
    """Published wishes nobody claimed that are overdue or due within `soon_days`, most urgent first."""
    return (
        wishes_visible_to(user)
        .filter(status=Wish.Status.PUBLISHED)
        .filter(Q(overdue_at__isnull=False) | Q(wanted_by__lte=today + datetime.timedelta(days=soon_days)))
        .order_by("wanted_by", "pk")
    )


def returned_wishes(user):
    """Wishes whose resident reported a problem that staff have not followed up yet."""
    return wishes_visible_to(user).filter(issue_reported_at__isnull=False).order_by("issue_reported_at", "pk")


def get_claim_for_user_or_404(user, pk):
    """A claim the user may act on: made for one of their claimants, or in their staff scope.

    "Staff" means holding wishes.view_claim (street staff, secretaries): a grid
    worker's scope is a grid, but the claims there, their notes and the
    fulfilment photos of residents' homes are none of their business.
    """
    claim = claims_of(user).filter(pk=pk).first()
    if claim is None:
        if not user.has_perm("wishes.view_claim"):
            raise Http404
        claim = get_object_or_404(
            scope_queryset(
                Claim.objects.select_related("wish__community", "volunteer", "team", "unit"), user
            ),
            pk=pk,
        )
    return claim


def live_claims_on(wishes, claimants):
    """Pks of the given wishes that the user's claimants already hold a live claim on."""
    if not claimants or not wishes:
        return set()
    return set(
        Claim.objects.filter(claimant_filter(claimants), wish__in=wishes, status__in=Claim.LIVE).values_list(
            "wish_id", flat=True
        )
    )
