from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from alliances.selectors import units_of_liaison
from portal.dashboard import chart_payload, dashboard_data, dashboard_sheets
from portal.decorators import scope_required
from portal.roles import Role, has_role, role_names, works_in_admin
from portal.scoping import scope_node
from portal.xlsx import workbook_bytes, xlsx_response


def landing(request):
    return render(request, "portal/landing.html")


def _database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return False
    return True


def _redis_ok():
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        return bool(client.ping())
    except redis.RedisError:
        return False


@never_cache
def healthz(request):
    """200 when the database (and Redis, where configured) answer; 503 otherwise."""
    checks = {"database": _database_ok()}
    if settings.REDIS_URL:
        checks["redis"] = _redis_ok()
    healthy = all(checks.values())
    body = {
        "status": "ok" if healthy else "error",
        **{name: "ok" if ok else "unavailable" for name, ok in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
def after_login(request):
    """Send each role to where its work is."""
    user = request.user
    if works_in_admin(user):
        return redirect("portal:dashboard")
    if has_role(user, Role.GRID_WORKER):
        return redirect("grids:visit_new")
    return redirect("portal:me")


@login_required
def me(request):
    user = request.user
    roles = [role for role in Role if role.value in role_names(user)]
    return render(
        request,
        "portal/me.html",
        {
            "roles": roles,
            "scope": scope_node(user),
            "liaison_units": units_of_liaison(user),
        },
    )


def _dashboard_numbers(request):
    if not works_in_admin(request.user):
        raise PermissionDenied
    return dashboard_data(request.user)


@scope_required
def dashboard(request):
    """Staff overview of the user's scope: numbers and charts, from the cache (portal.dashboard)."""
    data = _dashboard_numbers(request)
    return render(
        request,
        "portal/dashboard.html",
        {
            "data": data,
            "root": data["node"],
            "rows": data["rows"],
            "charts": chart_payload(data),
            "refresh_seconds": settings.DASHBOARD_CACHE_SECONDS,
        },
    )


@scope_required
def dashboard_xlsx(request):
    """The dashboard's numbers as a workbook, one sheet per chart."""
    data = _dashboard_numbers(request)
    place = data["node"].name if data["node"] else _("全部街道")
    stamp = timezone.localtime(data["computed_at"]).strftime("%Y%m%d-%H%M")
    return xlsx_response(workbook_bytes(dashboard_sheets(data)), f"{place}-{_('工作台')}-{stamp}.xlsx")


def ratelimited(request, exception):
    return render(request, "429.html", status=429)
