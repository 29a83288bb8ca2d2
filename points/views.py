"""Staff pages for the points rules and ledger corrections, and the leaderboards for everyone signed in."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from points import selectors, services
from points.forms import PointsRuleForm, ReverseForm
from points.models import PeriodKind
from portal.decorators import scope_required
from portal.months import month_start


@scope_required
@permission_required("points.view_pointsrule", raise_exception=True)
def rules(request):
    return render(request, "points/rules.html", {"rules": selectors.rules_visible_to(request.user)})


@scope_required
@permission_required("points.change_pointsrule", raise_exception=True)
def rule_edit(request, pk):
    rule = selectors.get_rule_for_user_or_404(request.user, pk)
    form = PointsRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.points_rule_update(rule=rule, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if saved.pk != rule.pk:
                text = _("已为%(street)s设定规则“%(name)s”，其他街道仍按全区默认；已记入台账的积分不变。")
            else:
                text = _("已更新规则“%(name)s”；已记入台账的积分不变。")
            messages.success(request, text % {"name": saved.name, "street": saved.street})
            return redirect("points:rules")
    status = 400 if request.method == "POST" else 200
    return render(request, "points/rule_form.html", {"form": form, "rule": rule}, status=status)


@scope_required
@permission_required("points.reverse_pointsentry", raise_exception=True)
def entry_reverse(request, pk):
    entry = selectors.get_points_entry_for_user_or_404(request.user, pk)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.points_entry_correct(entry=entry, user=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已冲销该记录。"))
            return redirect("admin:points_pointsentry_changelist")
    status = 400 if request.method == "POST" else 200
    return render(request, "points/reverse.html", {"form": form, "entry": entry}, status=status)


def _month_choice(text, months):
    """The requested month; by default the latest closed one, whose stars are final."""
    for month, _closed in months:
        if f"{month:%Y-%m}" == text:
            return month
    closed = [month for month, is_closed in months if is_closed]
    if closed:
        return closed[0]
    return months[0][0] if months else month_start(timezone.localdate())


@login_required
def stars(request):
    street, streets = selectors.leaderboard_street(request.user, request.GET.get("street"))
    if street is None:
        raise PermissionDenied
    months = selectors.rolled_up_months()
    month = _month_choice(request.GET.get("month", ""), months)
    year = datetime.date(month.year, 1, 1)
    context = selectors.stars_context(street, month, year)
    return render(
        request,
        "points/stars.html",
        {
            **context,
            "street": street,
            "streets": streets,
            "month": month,
            "months": months,
            "year": year,
            "ranked_at": selectors.last_rollup_at(),
            "period_kinds": PeriodKind,
        },
    )
