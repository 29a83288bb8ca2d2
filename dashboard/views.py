"""Where each person lands: the staff dashboard, and every person's own page (/me/)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.selectors import units_of_liaison
from dashboard.cache import dashboard_data
from dashboard.presentation import case_tables, chart_payload, dashboard_sheets
from portal.decorators import scope_required
from portal.roles import Role, has_role, role_names, works_in_admin
from portal.scoping import scope_node
from portal.xlsx import workbook_bytes, xlsx_response


@login_required
def after_login(request):
    """Send each role to where its work is."""
    user = request.user
    if works_in_admin(user):
        return redirect("dashboard:home")
    if has_role(user, Role.GRID_WORKER):
        return redirect("grids:visit_new")
    return redirect("dashboard:me")


@login_required
def me(request):
    user = request.user
    roles = [role for role in Role if role.value in role_names(user)]
    return render(
        request,
        "dashboard/me.html",
        {"roles": roles, "scope": scope_node(user), "liaison_units": units_of_liaison(user)},
    )


def _numbers(request):
    if not works_in_admin(request.user):
        raise PermissionDenied
    return dashboard_data(request.user)


@scope_required
def home(request):
    """Staff overview of the user's scope: numbers and charts, from the cache (dashboard.cache)."""
    data = _numbers(request)
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "data": data,
            "root": data["node"],
            "rows": data["rows"],
            "charts": chart_payload(data),
            "case_tables": case_tables(data),
            "refresh_seconds": settings.DASHBOARD_CACHE_SECONDS,
        },
    )


@scope_required
def numbers_xlsx(request):
    """The dashboard's numbers as a workbook, one sheet per chart."""
    data = _numbers(request)
    place = data["node"].name if data["node"] else _("全部街道")
    stamp = timezone.localtime(data["computed_at"]).strftime("%Y%m%d-%H%M")
    return xlsx_response(workbook_bytes(dashboard_sheets(data)), f"{place}-{_('工作台')}-{stamp}.xlsx")
