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
    ReasonForm,
)
from alliances.models import (
    Need,
)
from alliances.views.common import PAGE_SIZE, _error_text, _staff_only
from portal.access import staff_over
from portal.decorators import scope_required


@scope_required
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


def _need_context(request, need, **extra):
    suggestions = selectors.match_suggestions(need, request.user) if need.status == Need.Status.OPEN else []
    context = {
        "need": need,
        "suggestions": suggestions,
        "projects": need.projects.select_related("lead_unit").order_by("-created_at"),
        "history": need.status_changes.select_related("changed_by"),
        "can_match": staff_over(request.user, need.community, "alliances.add_project"),
        "can_close": staff_over(request.user, need.community, "alliances.change_need"),
        "match_form": None,
        "match_resource": None,
        "close_form": ReasonForm(),
    }
    context.update(extra)
    return context


@scope_required
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
