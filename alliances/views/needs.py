"""Pages of the needs list (需求清单): the list, a need with its suggested resources, matching and closing."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliances import selectors, services
from alliances.forms import (
    MatchForm,
    OfferConfirmForm,
    OfferForm,
    ReasonForm,
)
from alliances.models import (
    Need,
)
from alliances.views.common import PAGE_SIZE, _error_text, _staff_only, form_errors, staff_or_liaison_required
from portal.access import staff_over
from portal.decorators import scope_required


@staff_or_liaison_required
def need_list(request):
    needs = selectors.needs_visible_to(request.user)
    status = request.GET.get("status", Need.Status.OPEN)
    if status in Need.Status.values:
        needs = needs.filter(status=status)
    hot_only = request.GET.get("hot") == "1"
    if hot_only:
        needs = needs.filter(priority=Need.Priority.HOT)
    needs = needs.order_by("-priority", "wanted_by", "-raised_on", "pk")
    page = Paginator(needs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "alliances/need_list.html",
        {"page": page, "status": status, "hot_only": hot_only, "statuses": Need.Status.choices},
    )


def _offer_form(request, need, data=None):
    """The liaison's offer form: their units that may take this need and have not offered yet."""
    if need.status != Need.Status.OPEN:
        return None
    units = selectors.units_that_may_offer(request.user, need)
    if not units:
        return None
    return OfferForm(
        data,
        units=units,
        resources=selectors.resources_visible_to(request.user).filter(unit__in=units, is_active=True),
    )


def _need_context(request, need, **extra):
    can_match = staff_over(request.user, need.community, "alliances.add_project")
    open_need = need.status == Need.Status.OPEN
    suggestions = selectors.match_suggestions(need, request.user) if open_need and can_match else []
    context = {
        "need": need,
        "suggestions": suggestions,
        "offers": selectors.offers_visible_to(request.user).filter(need=need).order_by("-offered_at", "-pk"),
        "offer_form": _offer_form(request, need),
        "confirm_form": OfferConfirmForm(initial={"title": need.title, "end_on": need.wanted_by}),
        "decline_form": ReasonForm(),
        "decline_offer": None,
        "projects": need.projects.select_related("lead_unit").order_by("-created_at"),
        "history": need.status_changes.select_related("changed_by"),
        "can_match": can_match,
        "can_close": staff_over(request.user, need.community, "alliances.change_need"),
        "match_form": None,
        "match_resource": None,
        "close_form": ReasonForm(),
    }
    context.update(extra)
    return context


@staff_or_liaison_required
def need_detail(request, pk):
    need = selectors.get_need_for_user_or_404(request.user, pk)
    return render(request, "alliances/need_detail.html", _need_context(request, need))


@require_POST
@scope_required
def need_match(request, pk):
    """Staff turn a suggested match into a project in one step."""
    need = selectors.get_need_for_user_or_404(request.user, pk)
    _staff_only(request.user, need.community, "alliances.add_project")
    suggested = [s.resource.pk for s in selectors.match_suggestions(need, request.user)]
    form = MatchForm(
        request.POST, resources=selectors.resources_visible_to(request.user).filter(pk__in=suggested)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            project = services.project_create_from_match(
                need=need,
                resource=data["resource"],
                actor=request.user,
                title=data["title"],
                start_on=data["start_on"],
                end_on=data["end_on"],
                budget=data["budget"] or 0,
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
            return redirect("alliances:need_detail", pk=need.pk)
        messages.success(request, _("已立项“%(title)s”，需求已标记为已匹配。") % {"title": project.title})
        return redirect("alliances:project_detail", pk=project.pk)
    context = _need_context(request, need, match_form=form, match_resource=form.cleaned_data.get("resource"))
    return render(request, "alliances/need_detail.html", context, status=400)


@require_POST
@scope_required
def need_close(request, pk):
    need = selectors.get_need_for_user_or_404(request.user, pk)
    _staff_only(request.user, need.community, "alliances.change_need")
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.need_close(need=need, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("需求已关闭。"))
        return redirect("alliances:need_detail", pk=need.pk)
    return render(
        request, "alliances/need_detail.html", _need_context(request, need, close_form=form), status=400
    )


@require_POST
@staff_or_liaison_required
def need_offer(request, pk):
    """A liaison offers their unit to take the need; staff over its community decide."""
    need = selectors.get_need_for_user_or_404(request.user, pk)
    form = _offer_form(request, need, request.POST)
    if form is None:
        messages.error(request, _("本单位不能认领这个需求：需求已不是待匹配，或本单位已经认领过。"))
        return redirect("alliances:need_detail", pk=need.pk)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.need_offer(
                need=need, unit=data["unit"], actor=request.user, resource=data["resource"], note=data["note"]
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("已认领，等待街道或社区确认；确认后会通知您。"))
            return redirect("alliances:need_detail", pk=need.pk)
    return render(
        request, "alliances/need_detail.html", _need_context(request, need, offer_form=form), status=400
    )


def _staff_offer(request, pk):
    offer = selectors.get_offer_for_user_or_404(request.user, pk)
    _staff_only(request.user, offer.need.community, "alliances.add_project")
    return offer


@require_POST
@staff_or_liaison_required
def offer_confirm(request, pk):
    """Staff accept a unit's offer: the need becomes a project led by the unit."""
    offer = _staff_offer(request, pk)
    form = OfferConfirmForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            project = services.need_offer_confirm(
                offer=offer,
                actor=request.user,
                title=data["title"],
                start_on=data["start_on"],
                end_on=data["end_on"],
                budget=data["budget"] or 0,
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
            return redirect("alliances:need_detail", pk=offer.need_id)
        messages.success(
            request,
            _("已确认%(unit)s的认领，立项“%(title)s”。") % {"unit": offer.unit.name, "title": project.title},
        )
        return redirect("alliances:project_detail", pk=project.pk)
    context = _need_context(request, offer.need, confirm_form=form, decline_offer=offer)
    return render(request, "alliances/need_detail.html", context, status=400)


@require_POST
@staff_or_liaison_required
def offer_decline(request, pk):
    offer = _staff_offer(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.need_offer_decline(offer=offer, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("已告知%(unit)s未采纳的原因。") % {"unit": offer.unit.name})
        return redirect("alliances:need_detail", pk=offer.need_id)
    context = _need_context(request, offer.need, decline_form=form, decline_offer=offer)
    return render(request, "alliances/need_detail.html", context, status=400)
