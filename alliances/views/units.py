"""Pages of member units: my unit, a unit with its resources, adding and withdrawing resources."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliances import access, selectors, services
from alliances.forms import (
    ResourceForm,
)
from alliances.models import (
    MeetingProblem,
    Project,
)
from alliances.views.common import form_errors
from portal.months import month_start


@login_required
def my_unit(request):
    units = list(selectors.units_of_liaison(request.user))
    if len(units) == 1:
        return redirect("alliances:unit_detail", pk=units[0].pk)
    if not units:
        raise Http404
    return render(request, "alliances/index.html", {"alliances": [], "my_units": units})


@login_required
def unit_detail(request, pk):
    user = request.user
    unit = selectors.get_unit_for_user_or_404(user, pk)
    memberships = unit.memberships.select_related("alliance__grid").order_by("-joined_on")
    projects = (
        selectors.projects_visible_to(user).filter(pk__in=_unit_project_ids(unit)).order_by("-created_at")
    )
    today = timezone.localdate()
    return render(
        request,
        "alliances/unit_detail.html",
        {
            "unit": unit,
            "resources": unit.resources.select_related("community").order_by("-is_active", "kind", "title"),
            "memberships": memberships,
            "projects": projects,
            "chairs": unit.chair_terms.filter(month__gte=month_start(today))
            .select_related("alliance")
            .order_by("month", "alliance__name")[:4],
            "problems": unit.owned_problems.exclude(status=MeetingProblem.Status.RESOLVED).select_related(
                "meeting"
            ),
            "can_edit": access.can_edit_unit_lists(user, unit),
            "is_liaison": access.is_liaison_of(user, unit),
        },
    )


def _unit_project_ids(unit):
    return Project.objects.filter(Q(lead_unit=unit) | Q(partner_units=unit)).values("pk")


def _editable_unit(request, pk):
    unit = selectors.get_unit_for_user_or_404(request.user, pk)
    if not access.can_edit_unit_lists(request.user, unit):
        raise PermissionDenied
    return unit


@login_required
def resource_new(request, unit_pk):
    unit = _editable_unit(request, unit_pk)
    form = ResourceForm(request.POST or None, unit=unit)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.resource_save(actor=request.user, unit=unit, **form.cleaned_data)
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, _("已添加资源。"))
                return redirect("alliances:unit_detail", pk=unit.pk)
        return render(request, "alliances/resource_form.html", {"form": form, "unit": unit}, status=400)
    return render(request, "alliances/resource_form.html", {"form": form, "unit": unit})


@login_required
def resource_edit(request, pk):
    resource = selectors.get_resource_for_user_or_404(request.user, pk)
    unit = resource.unit
    if not access.can_edit_unit_lists(request.user, unit):
        raise PermissionDenied
    form = ResourceForm(request.POST or None, instance=resource, unit=unit)
    context = {"form": form, "unit": unit, "resource": resource}
    if request.method == "POST":
        if form.is_valid():
            try:
                services.resource_save(actor=request.user, unit=unit, resource=resource, **form.cleaned_data)
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, _("已保存。"))
                return redirect("alliances:unit_detail", pk=unit.pk)
        return render(request, "alliances/resource_form.html", context, status=400)
    return render(request, "alliances/resource_form.html", context)


@require_POST
@login_required
def resource_toggle(request, pk):
    resource = selectors.get_resource_for_user_or_404(request.user, pk)
    choice = request.POST.get("active")
    if choice not in ("0", "1"):
        messages.error(request, _("请求无效，资源没有变化。"))
        return redirect("alliances:unit_detail", pk=resource.unit_id)
    active = choice == "1"
    services.resource_set_active(actor=request.user, resource=resource, active=active)
    messages.success(request, _("已重新提供该资源。") if active else _("已撤回该资源，它不再参与匹配。"))
    return redirect("alliances:unit_detail", pk=resource.unit_id)
