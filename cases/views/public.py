"""The resident's pages (no account): report from a grid's QR code, the tracking page, rating or "没有解决"."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from cases import selectors, services
from cases.forms import RateForm, ResidentCaseForm, UnresolvedForm
from cases.models import CaseState
from cases.views.common import form_errors, photo_response, run
from grids.models import Grid
from portal.middleware import private
from portal.qr import qr_data_uri
from wishes.forms import TrackLookupForm
from wishes.views.common import check_track_limit, count_miss

SESSION_NEW_CODE = "cases_new_code"


def _posts_rate(group, request):
    return f"{settings.CASES_POSTS_PER_HOUR}/h"


def _posts_day_rate(group, request):
    # Phones are not checked: without a daily ceiling one address could post all day with made-up numbers.
    return f"{settings.CASES_POSTS_PER_DAY}/d"


def _grid_from(request):
    code = (request.GET.get("grid") or "").strip().upper()[:20]
    if not code:
        return None
    return (
        Grid.objects.filter(code=code, kind__in=[Grid.Kind.GRID, Grid.Kind.COMMUNITY])
        .select_related("parent")
        .first()
    )


def _page(request, grid, form, *, status=200, refusal=""):
    return render(
        request, "cases/report_resident.html", {"grid": grid, "form": form, "refusal": refusal}, status=status
    )


@ratelimit(
    key="portal.net.ratelimit_key", rate=_posts_rate, method="POST", block=False, group="cases.new.posts"
)
@ratelimit(
    key="portal.net.ratelimit_key",
    rate=_posts_day_rate,
    method="POST",
    block=False,
    group="cases.new.posts.day",
)
def case_new(request):
    grid = _grid_from(request)
    if grid is None:
        if request.GET.get("grid"):
            messages.warning(request, _("二维码中的网格编码无效，请重新扫描网格的二维码。"))
        return render(
            request,
            "cases/report_resident.html",
            {"grid": None},
            status=200 if request.method == "GET" else 400,
        )
    categories = list(selectors.categories_of(grid.get_root()))
    if request.method != "POST":
        return _page(request, grid, ResidentCaseForm(categories=categories))
    form = ResidentCaseForm(request.POST, request.FILES, categories=categories)
    if getattr(request, "limited", False):
        form.is_valid()
        return _page(request, grid, form, status=429, refusal=_("这个网络提交的次数太多了，请稍后再试。"))
    if not form.is_valid():
        return _page(request, grid, form, status=400)
    data = form.cleaned_data
    try:
        case = services.case_report_resident(
            grid=grid,
            category=data["category"],
            description=data["description"],
            phone=data["phone"],
            address=data["address"],
            name=data["name"],
            location=form.location(),
            photos=data["photos"],
        )
    except services.TooManyCases as error:
        return _page(request, grid, form, status=429, refusal=" ".join(error.messages))
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _page(request, grid, form, status=400)
    request.session[SESSION_NEW_CODE] = case.code
    return redirect("cases:submitted")


@never_cache
@private
def case_submitted(request):
    code = request.session.get(SESSION_NEW_CODE)
    case = selectors.case_by_code(code) if code else None
    if case is None:
        return redirect("cases:track_lookup")
    link = request.build_absolute_uri(reverse("cases:track", args=[code]))
    return render(
        request, "cases/submitted.html", {"case": case, "link": link, "qr": qr_data_uri(link, scale=6)}
    )


def track_lookup(request):
    form = TrackLookupForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("cases:track", code=form.cleaned_data["code"])
    return render(request, "cases/track_lookup.html", {"form": form})


def _resident_case(request, code):
    """The case behind a tracking code; wrong codes count against the address (shared with the wish pages)."""
    check_track_limit(request)
    case = selectors.case_by_code(code)
    if case is None:
        count_miss(request)
        raise Http404
    return case


@never_cache
@private
def track(request, code):
    try:
        case = _resident_case(request, code)
    except Http404:
        # A mistyped code: the lookup form again, with what to check, rather than a bare "page not found".
        form = TrackLookupForm(initial={"code": code[:30]})
        missing = _(
            "没有找到查询码 %(code)s 对应的事件。请核对查询码：12 位字母和数字，不含 0、O、1、I。"
        ) % {"code": code[:30]}
        return render(request, "cases/track_lookup.html", {"form": form, "missing": missing}, status=404)
    return _track_page(request, case)


def _works_on(request, case):
    """Whether the signed-in person is staff over the case or one of its responders: they see its code on their
    pages and are judged by its rating, so they may not rate it or reopen it in the resident's place."""
    user = request.user
    if not user.is_authenticated:
        return False
    return (
        selectors.cases_visible_to(user).filter(pk=case.pk).exists()
        or selectors.dispatches_for_responder(user).filter(case_id=case.pk).exists()
    )


def _refuse_staff(request, case):
    if not _works_on(request, case):
        return None
    messages.error(request, _("请由反映问题的居民本人评价或反馈，工作人员不能代替。"))
    return redirect("cases:track", code=case.code)


def _track_page(request, case, *, rate_form=None, unresolved_form=None, status=200):
    photos = list(case.photos.all())
    return render(
        request,
        "cases/track.html",
        {
            "case": case,
            "events": selectors.public_timeline(case),
            "report_photos": [p for p in photos if p.stage == "report"],
            "result_photos": [p for p in photos if p.stage == "result"],
            "rate_form": rate_form or RateForm(),
            "unresolved_form": unresolved_form or UnresolvedForm(),
            "can_rate": case.state == CaseState.VERIFIED and not _works_on(request, case),
        },
        status=status,
    )


@require_POST
@private
def track_rate(request, code):
    case = _resident_case(request, code)
    refused = _refuse_staff(request, case)
    if refused is not None:
        return refused
    form = RateForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return _track_page(request, case, rate_form=form, status=400)
    data = form.cleaned_data
    run(
        request,
        lambda: services.case_rate(case=case, rating=data["rating"], comment=data["comment"]),
        _("谢谢您的评价！"),
    )
    return redirect("cases:track", code=case.code)


@require_POST
@private
def track_unresolved(request, code):
    case = _resident_case(request, code)
    refused = _refuse_staff(request, case)
    if refused is not None:
        return refused
    form = UnresolvedForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return _track_page(request, case, unresolved_form=form, status=400)
    run(
        request,
        lambda: services.case_unresolved(case=case, reason=form.cleaned_data["reason"]),
        _("已收到，我们会重新处理。"),
    )
    return redirect("cases:track", code=case.code)


@private
def track_photo(request, code, pk):
    case = _resident_case(request, code)
    return photo_response(get_object_or_404(case.photos.all(), pk=pk))
