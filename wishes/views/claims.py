"""A claimant's pages: the claim with whom to call, revealing the resident's phone (logged), withdrawing, fulfilling."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grids.selectors import contacts_for
from portal.models import PersonalDataLog
from portal.privacy import personal_data_record
from wishes import selectors, services
from wishes.forms import (
    FulfilForm,
)
from wishes.models import Claim
from wishes.views.common import photo_response


def _claim_context(request, claim, **extra):
    can_act = services.can_act_for(request.user, claim.claimant)
    working = claim.status in (Claim.Status.CLAIMED, Claim.Status.FULFILLED)
    return {
        "claim": claim,
        "wish": claim.wish,
        "can_act": can_act,
        "form": FulfilForm(),
        "photo_mb": settings.WISH_PHOTO_MAX_MB,
        # Whom to call: the grid's workers (or the secretary), and the resident
        # only if they agreed to be called directly.
        "contacts": contacts_for(claim.wish.grid) if can_act and working else [],
        "can_reveal": can_act and working and claim.wish.contact_consent,
        **extra,
    }


@login_required
def claim_detail(request, pk):
    claim = selectors.get_claim_for_user_or_404(request.user, pk)
    return render(request, "wishes/claim_detail.html", _claim_context(request, claim))


@require_POST
@login_required
def claim_reveal_phone(request, pk):
    """Show the resident's phone to the claimant who may call them; the reveal is recorded."""
    claim = selectors.get_claim_for_user_or_404(request.user, pk)
    context = _claim_context(request, claim)
    if not context["can_reveal"]:
        raise PermissionDenied
    wish = claim.wish
    personal_data_record(
        actor=request.user,
        action=PersonalDataLog.Action.VIEW,
        subject=wish,
        fields=["phone"],
        grid=wish.grid,
        detail=_("认领人查看居民电话（居民同意直接联系）"),
    )
    return render(request, "wishes/claim_detail.html", {**context, "resident_phone": wish.phone})


@require_POST
@login_required
def claim_withdraw(request, pk):
    claim = selectors.get_claim_for_user_or_404(request.user, pk)
    try:
        services.claim_withdraw(claim=claim, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已撤回认领，名额已释放。"))
    return redirect("wishes:claim_detail", pk=claim.pk)


@require_POST
@login_required
def claim_fulfil(request, pk):
    claim = selectors.get_claim_for_user_or_404(request.user, pk)
    form = FulfilForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.claim_fulfil(
                claim=claim,
                user=request.user,
                note=form.cleaned_data["note"],
                photo=form.cleaned_data["photo"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("已标记完成，等待居民确认。"))
            return redirect("wishes:claim_detail", pk=claim.pk)
    return render(request, "wishes/claim_detail.html", _claim_context(request, claim, form=form), status=400)


@login_required
def claim_photo(request, pk):
    return photo_response(selectors.get_claim_for_user_or_404(request.user, pk))
