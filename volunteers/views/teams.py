"""Pages of volunteer teams: the list, a team with its members, joining, leaving, and the leader's decisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from volunteers import selectors, services
from volunteers.access import can_manage_team, volunteer_of
from volunteers.views.common import fail, no_volunteer


@login_required
def team_list(request):
    teams = selectors.teams_with_counts(selectors.teams_visible_to(request.user)).order_by(
        "community__code", "name"
    )
    mine = selectors.memberships_by_team(volunteer_of(request.user))
    page = Paginator(teams, 30).get_page(request.GET.get("page"))
    rows = [(team, mine.get(team.pk)) for team in page]
    return render(request, "volunteers/team_list.html", {"page": page, "rows": rows})


@login_required
def team_detail(request, pk):
    team = selectors.get_team_for_user_or_404(request.user, pk)
    volunteer = volunteer_of(request.user)
    manages = can_manage_team(request.user, team)
    members = selectors.team_members(team)
    return render(
        request,
        "volunteers/team_detail.html",
        {
            "team": team,
            "membership": selectors.membership_of(team, volunteer),
            "volunteer": volunteer,
            "manages": manages,
            "active": [m for m in members if m.status == "active"],
            "pending": [m for m in members if m.status == "pending"] if manages else [],
            "activities": selectors.team_upcoming_activities(team),
        },
    )


@require_POST
@login_required
def team_join(request, pk):
    team = selectors.get_team_for_user_or_404(request.user, pk)
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        return no_volunteer(request)
    try:
        services.team_join(team=team, volunteer=volunteer)
    except ValidationError as error:
        fail(request, error)
    else:
        messages.success(request, _("已提交入队申请，等待队长审核。"))
    return redirect("volunteers:team_detail", pk=team.pk)


@require_POST
@login_required
def team_leave(request, pk):
    team = selectors.get_team_for_user_or_404(request.user, pk)
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        return no_volunteer(request)
    try:
        services.team_leave(team=team, volunteer=volunteer)
    except ValidationError as error:
        fail(request, error)
    else:
        messages.success(request, _("已退出“%(team)s”。") % {"team": team})
    return redirect("volunteers:team_detail", pk=team.pk)


@require_POST
@login_required
def membership_decide(request, pk):
    membership = selectors.get_membership_for_manager_or_404(request.user, pk)
    approve = request.POST.get("decision") == "approve"
    try:
        services.team_decide(membership=membership, user=request.user, approve=approve)
    except ValidationError as error:
        fail(request, error)
    else:
        text = _("已同意 %(name)s 入队。") if approve else _("已婉拒 %(name)s 的申请。")
        messages.success(request, text % {"name": membership.volunteer})
    return redirect("volunteers:team_detail", pk=membership.team_id)
