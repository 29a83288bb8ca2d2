"""Sections other apps' pages show: the staff counts and the claims on /me/."""

from django import template

from wishes import selectors
from wishes.models import Claim

register = template.Library()


@register.inclusion_tag("wishes/_staff_counts.html", takes_context=True)
def wishes_staff_counts(context):
    user = context["request"].user
    if not user.has_perm("wishes.review_wish"):
        return {"show": False}
    return {"show": True, "counts": selectors.staff_counts(user)}


@register.inclusion_tag("wishes/_me.html", takes_context=True)
def wishes_me(context):
    user = context["request"].user
    claimants = selectors.claimants_for(user)
    claims = list(selectors.claims_of(user, claimants)[:30]) if claimants else []
    return {
        "claimants": claimants,
        "claims": claims,
        "open": sum(1 for c in claims if c.status == Claim.Status.CLAIMED),
    }
