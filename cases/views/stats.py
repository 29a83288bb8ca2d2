"""/cases/stats/: the numbers staff are judged by, for their scope and a month, as a page and a workbook."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from cases import access
from cases.presentation import stats_tables, tables_as_sheets
from cases.selectors import case_stats
from portal.months import month_bounds, parse_month, this_month
from portal.scoping import EVERYTHING, NOTHING, scope_node, scope_of
from portal.xlsx import workbook_bytes, xlsx_response

# What each scope is grouped by: a street by category, community and grid; a community by
# category and grid; a grid by category; every street (a superuser) by street and category.
_GROUPS = {
    "street": ("category", "community", "grid"),
    "community": ("category", "grid"),
    "grid": ("category",),
}


def _scope(request):
    user = request.user
    if not user.has_perm(access.HANDLE):
        raise PermissionDenied
    scope = scope_of(user)
    if scope is NOTHING:
        raise PermissionDenied
    node = None if scope is EVERYTHING else scope_node(user)
    return scope, node


def _month(request):
    """The month asked for (this month by default) and the message when it cannot be read."""
    text = (request.GET.get("month") or "").strip()
    if not text:
        return this_month(), None
    try:
        return parse_month(text), None
    except ValueError as error:
        return this_month(), str(error.args[0])


def _stats(scope, node, month):
    groups = ("street", "category_name") if node is None else _GROUPS[node.kind]
    return case_stats(scope, *month_bounds(month), groups=groups)


@login_required
def stats(request):
    scope, node = _scope(request)
    month, error = _month(request)
    data = _stats(scope, node, month)
    return render(
        request,
        "cases/stats.html",
        {
            "month": month,
            "this_month": this_month(),
            "error": error,
            "node": node,
            "total": data["total"],
            "tables": stats_tables(data),
        },
        status=400 if error else 200,
    )


@login_required
def stats_xlsx(request):
    scope, node = _scope(request)
    month, error = _month(request)
    if error:
        return render(
            request,
            "cases/stats.html",
            {"month": month, "this_month": this_month(), "error": error, "node": node, "tables": []},
            status=400,
        )
    data = _stats(scope, node, month)
    place = node.name if node else _("全部街道")
    return xlsx_response(
        workbook_bytes(tables_as_sheets(stats_tables(data))),
        f"{place}-{_('网格事件统计')}-{month:%Y-%m}.xlsx",
    )
