from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grids import selectors, services
from grids.forms import FollowUpForm, HouseholdSearchForm, VisitForm
from grids.models import Grid
from portal.decorators import scope_required
from portal.models import PersonalDataLog
from portal.privacy import can_view_personal_data, personal_data_record
from portal.scoping import scope_node

PAGE_SIZE = 30


@scope_required
@permission_required("grids.view_grid", raise_exception=True)
def grid_list(request):
    """The user's scope node and its children, each with its counts."""
    root = scope_node(request.user)
    if root is None:  # superuser: every street
        nodes = list(selectors.grids_visible_to(request.user).filter(kind=Grid.Kind.STREET))
    else:
        nodes = [root, *root.get_children()]
    stats = selectors.grid_stats(nodes)
    rows = [(node, stats[node.pk]) for node in nodes]
    return render(
        request,
        "grids/grid_list.html",
        {"rows": rows, "overdue_days": settings.VISIT_OVERDUE_DAYS},
    )


@scope_required
@permission_required("grids.view_household", raise_exception=True)
def grid_detail(request, code):
    grid = selectors.get_grid_for_user_or_404(request.user, code)
    children = list(grid.get_children())
    stats = selectors.grid_stats([grid, *children])
    overdue = selectors.overdue_households(
        selectors.households_visible_to(request.user).filter(grid__in=grid.get_descendants(include_self=True))
    ).order_by("last_visited_at", "building__name", "unit", "room")
    page = Paginator(overdue, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "grids/grid_detail.html",
        {
            "grid": grid,
            "stats": stats[grid.pk],
            "children": [(child, stats[child.pk]) for child in children],
            "overdue_page": page,
            "ancestors": grid.get_ancestors(),
        },
    )


@scope_required
@permission_required("grids.view_household", raise_exception=True)
def household_detail(request, pk):
    household = selectors.get_household_for_user_or_404(request.user, pk)
    visits = selectors.household_visits_for(request.user, household)
    return render(
        request,
        "grids/household_detail.html",
        {
            "household": household,
            "visits": visits,
            "residents": household.residents.all(),
            "can_reveal": can_view_personal_data(request.user),
        },
    )


@require_POST
@scope_required
@permission_required("grids.view_household", raise_exception=True)
def household_reveal(request, pk):
    """Show one household's full phone and ID number, and record that it was shown."""
    household = selectors.get_household_for_user_or_404(request.user, pk)
    if not can_view_personal_data(request.user):
        raise PermissionDenied
    personal_data_record(
        actor=request.user,
        action=PersonalDataLog.Action.VIEW,
        subject=household,
        fields=household.PERSONAL_FIELDS,
        grid=household.grid,
        detail=_("在住户页面查看"),
    )
    return render(
        request,
        "grids/household_detail.html",
        {
            "household": household,
            "visits": selectors.household_visits_for(request.user, household),
            "residents": household.residents.all(),
            "can_reveal": True,
            "revealed": True,
        },
    )


@scope_required
@permission_required("grids.add_visit", raise_exception=True)
def visit_new(request):
    """Phone-first: find a household of my grid, then log the visit."""
    user = request.user
    if request.method == "POST":
        form = VisitForm(request.POST, user=user)
        if form.is_valid():
            try:
                visit = services.visit_log(visitor=user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request, _("已记录对 %(household)s 的走访。") % {"household": visit.household}
                )
                return redirect("grids:visit_list")
        context = {"form": form, "household": form.cleaned_data.get("household")}
        return render(request, "grids/visit_new.html", context, status=400)

    household_id = request.GET.get("household")
    if household_id and household_id.isdigit():
        household = selectors.get_household_for_user_or_404(user, int(household_id))
        form = VisitForm(initial={"household": household.pk, "method": "in_person"}, user=user)
        return render(request, "grids/visit_new.html", {"form": form, "household": household})

    search = HouseholdSearchForm(request.GET or None)
    results = []
    if search.is_valid():
        results = selectors.household_search(user, search.cleaned_data["q"])
    return render(request, "grids/visit_search.html", {"search": search, "results": results})


@scope_required
@permission_required("grids.view_visit", raise_exception=True)
def visit_list(request):
    visits = selectors.visits_visible_to(request.user)
    pending_only = request.GET.get("pending") == "1"
    if pending_only:
        visits = visits.filter(follow_up_needed=True, follow_up_done_at__isnull=True)
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "grids/visit_list.html", {"page": page, "pending_only": pending_only})


@scope_required
@permission_required("grids.view_visit", raise_exception=True)
def visit_detail(request, pk):
    visit = selectors.get_visit_for_user_or_404(request.user, pk)
    return render(request, "grids/visit_detail.html", {"visit": visit, "form": FollowUpForm()})


@require_POST
@scope_required
@permission_required("grids.view_visit", raise_exception=True)
def visit_follow_up(request, pk):
    visit = selectors.get_visit_for_user_or_404(request.user, pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.visit_follow_up_done(visit=visit, user=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已标记跟进完成。"))
            return redirect("grids:visit_detail", pk=visit.pk)
    return render(request, "grids/visit_detail.html", {"visit": visit, "form": form}, status=400)
