"""Pages of an alliance: the list, the alliance with its members and chair schedule, generating and swapping chairs, signing the covenant."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliances import access, selectors, services
from alliances.forms import (
    ChairGenerateForm,
    ChairSwapForm,
)
from alliances.views.common import _error_text, _staff_only, staff_or_liaison_required
from portal.access import staff_over
from portal.months import month_start


@staff_or_liaison_required
def index(request):
    alliances = selectors.alliances_visible_to(request.user).order_by("grid__tree_id", "grid__lft")
    return render(
        request,
        "alliances/index.html",
        {"alliances": alliances, "my_units": selectors.units_of_liaison(request.user)},
    )


def _alliance_context(request, alliance, **extra):
    user = request.user
    current, former = selectors.alliance_members(alliance)
    schedule = selectors.chair_schedule(alliance)
    this_month = month_start(timezone.localdate())
    my_ids = access.liaison_unit_ids(user)
    can_manage = staff_over(user, alliance.grid, "alliances.change_chairterm")
    context = {
        "alliance": alliance,
        "current": current,
        "former": former,
        "schedule": schedule,
        "this_month": this_month,
        "my_memberships": [m for m in current if m.unit_id in my_ids],
        "signed_count": sum(1 for m in current if m.covenant_signed_on),
        "current_chair": next((t for t in schedule if t.month == this_month), None),
        "meetings": alliance.meetings.select_related("chair_unit").order_by("-held_at")[:12],
        "can_manage": can_manage,
        "can_meet": staff_over(user, alliance.grid, "alliances.add_jointmeeting"),
        "generate_form": ChairGenerateForm(initial={"start": f"{this_month:%Y-%m}", "months": 12}),
        "swap_form": ChairSwapForm(terms=[t for t in schedule if t.month >= this_month]),
    }
    context.update(extra)
    return context


@login_required
def alliance_detail(request, pk):
    alliance = selectors.get_alliance_for_user_or_404(request.user, pk)
    return render(request, "alliances/alliance_detail.html", _alliance_context(request, alliance))


@require_POST
@login_required
def chair_generate(request, pk):
    alliance = selectors.get_alliance_for_user_or_404(request.user, pk)
    _staff_only(request.user, alliance.grid, "alliances.change_chairterm")
    form = ChairGenerateForm(request.POST)
    if form.is_valid():
        try:
            created = services.chair_schedule_generate(
                alliance=alliance, start=form.cleaned_data["start"], months=form.cleaned_data["months"]
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            if created:
                messages.success(request, _("已安排 %(n)s 个月的轮值主席。") % {"n": len(created)})
            else:
                messages.info(request, _("这些月份都已有轮值主席，没有变化。"))
            return redirect("alliances:alliance_detail", pk=alliance.pk)
    context = _alliance_context(request, alliance, generate_form=form)
    return render(request, "alliances/alliance_detail.html", context, status=400)


@require_POST
@login_required
def chair_swap(request, pk):
    alliance = selectors.get_alliance_for_user_or_404(request.user, pk)
    _staff_only(request.user, alliance.grid, "alliances.change_chairterm")
    this_month = month_start(timezone.localdate())
    terms = [t for t in selectors.chair_schedule(alliance) if t.month >= this_month]
    form = ChairSwapForm(request.POST, terms=terms)
    if form.is_valid():
        try:
            services.chair_swap(
                alliance=alliance,
                first_month=form.cleaned_data["first_month"],
                second_month=form.cleaned_data["second_month"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("已调换这两个月的轮值主席。"))
            return redirect("alliances:alliance_detail", pk=alliance.pk)
    context = _alliance_context(request, alliance, swap_form=form)
    return render(request, "alliances/alliance_detail.html", context, status=400)


@require_POST
@login_required
def covenant_sign(request, pk):
    """A liaison signs the covenant for their unit (or staff record the signing today)."""
    alliance = selectors.get_alliance_for_user_or_404(request.user, pk)
    unit_id = request.POST.get("unit", "")
    if not unit_id.isdigit():
        raise Http404
    membership = alliance.memberships.select_related("unit__grid").filter(unit_id=int(unit_id)).first()
    if membership is None:
        raise Http404
    try:
        services.membership_sign_covenant(membership=membership, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("“%(unit)s”已签署联盟公约。") % {"unit": membership.unit})
    return redirect("alliances:alliance_detail", pk=alliance.pk)
