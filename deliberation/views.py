"""Deliberation pages: the resident's form and tracking page, voting with a code, the public notice,
the staff's topic pages and the resolution owner's page."""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from cases.selectors import categories_of
from deliberation import selectors, services
from deliberation.forms import (
    OpenCaseForm,
    ProgressForm,
    RaiseTopicForm,
    SessionVoteForm,
    VetForm,
    VoteWithCodeForm,
)
from deliberation.models import Session, Topic
from grids.admin import address_condition, parse_address
from grids.models import Grid, Household
from portal.access import staff_over
from portal.decorators import scope_required
from portal.middleware import private
from portal.scoping import in_scope
from wishes.views.common import check_track_limit, count_miss

SESSION_NEW_CODE = "deliberation_new_code"


def _posts_rate(group, request):
    return f"{settings.CASES_POSTS_PER_HOUR}/h"


def _grid_from(request):
    code = (request.GET.get("grid") or "").strip().upper()[:20]
    if not code:
        return None
    return (
        Grid.objects.filter(code=code, kind__in=[Grid.Kind.GRID, Grid.Kind.COMMUNITY])
        .select_related("parent")
        .first()
    )


def _form_errors(form, error):
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- the resident's pages ------------------------------------------------------------------------


@ratelimit(
    key="portal.net.ratelimit_key", rate=_posts_rate, method="POST", block=False, group="deliberation.new"
)
def topic_new(request):
    """A matter to talk through, from the grid's QR code; a grid worker or staff signed in raise it as themselves."""
    grid = _grid_from(request)
    if grid is None:
        if request.GET.get("grid"):
            messages.warning(request, _("二维码中的网格编码无效，请重新扫描网格的二维码。"))
        return render(
            request,
            "deliberation/topic_new.html",
            {"grid": None},
            status=200 if request.method == "GET" else 400,
        )
    as_worker = request.user.is_authenticated and in_scope(request.user, grid)
    form = RaiseTopicForm(request.POST or None)
    if as_worker:
        del form.fields["phone"], form.fields["name"]
    context = {"grid": grid, "form": form, "as_worker": as_worker}
    if request.method != "POST":
        return render(request, "deliberation/topic_new.html", context)
    if getattr(request, "limited", False):
        form.is_valid()
        context["refusal"] = _("这个网络提交的次数太多了，请稍后再试。")
        return render(request, "deliberation/topic_new.html", context, status=429)
    if not form.is_valid():
        return render(request, "deliberation/topic_new.html", context, status=400)
    data = form.cleaned_data
    try:
        if as_worker:
            topic = services.topic_raise(
                by=request.user, grid=grid, title=data["title"], description=data["description"]
            )
        else:
            topic = services.topic_raise_resident(
                grid=grid,
                title=data["title"],
                description=data["description"],
                phone=data["phone"],
                name=data["name"],
            )
    except services.TooManyTopics as error:
        context["refusal"] = " ".join(error.messages)
        return render(request, "deliberation/topic_new.html", context, status=429)
    except ValidationError as error:
        _form_errors(form, error)
        return render(request, "deliberation/topic_new.html", context, status=400)
    if as_worker:
        messages.success(request, _("议题已提出，等待社区党组织审核。"))
        return (
            redirect("deliberation:topic_detail", pk=topic.pk)
            if staff_over(request.user, topic.community)
            else redirect("deliberation:topic_track", code=topic.code)
        )
    request.session[SESSION_NEW_CODE] = topic.code
    return redirect("deliberation:topic_submitted")


@never_cache
@private
def topic_submitted(request):
    code = request.session.get(SESSION_NEW_CODE)
    topic = selectors.topic_by_code(code) if code else None
    if topic is None:
        raise Http404
    link = request.build_absolute_uri(reverse("deliberation:topic_track", args=[code]))
    return render(request, "deliberation/topic_submitted.html", {"topic": topic, "link": link})


@never_cache
@private
def topic_track(request, code):
    """The raiser's page: whether the matter was accepted and why, its sessions and resolutions."""
    check_track_limit(request)
    topic = selectors.topic_by_code(re.sub(r"[^A-Z0-9]", "", code.upper())[:16])
    if topic is None:
        count_miss(request)
        raise Http404
    return render(
        request,
        "deliberation/topic_track.html",
        {
            "topic": topic,
            "sessions": selectors.sessions_of(topic),
            "resolutions": list(topic.resolutions.all()),
        },
    )


@ratelimit(
    key="portal.net.ratelimit_key", rate=_posts_rate, method="POST", block=False, group="deliberation.vote"
)
def vote(request):
    """A household votes with the one-time code the community gave it."""
    form = VoteWithCodeForm(request.POST or None, initial={"code": request.GET.get("code", "")[:20]})
    status = 200
    if request.method == "POST":
        if getattr(request, "limited", False):
            form.is_valid()
            form.add_error(None, _("这个网络提交的次数太多了，请稍后再试。"))
            status = 429
        elif form.is_valid():
            try:
                cast = services.vote_with_code(
                    code=form.cleaned_data["code"], choice=form.cleaned_data["choice"]
                )
            except ValidationError as error:
                _form_errors(form, error)
                status = 400
            else:
                return render(request, "deliberation/voted.html", {"vote": cast})
        else:
            status = 400
    return render(request, "deliberation/vote.html", {"form": form}, status=status)


def notice(request, code):
    """A community's public notice (公示): matters accepted, sessions, resolutions and progress; no personal data."""
    community = selectors.notice_community_or_404(code)
    topics = list(selectors.notice(community))
    selectors.add_tallies([session for topic in topics for session in topic.sessions.all()])
    return render(request, "deliberation/notice.html", {"community": community, "topics": topics})


# --- staff ----------------------------------------------------------------------------------------


@scope_required
def topic_list(request):
    status = request.GET.get("status", "")
    topics = selectors.topics_visible_to(request.user)
    if status in Topic.Status.values:
        topics = topics.filter(status=status)
    return render(
        request,
        "deliberation/topic_list.html",
        {
            "topics": topics.order_by("-created_at", "-pk")[:200],
            "status": status,
            "statuses": Topic.Status.choices,
        },
    )


def _staff_topic(request, pk):
    topic = selectors.get_topic_for_user_or_404(request.user, pk)
    if not staff_over(request.user, topic.community):
        raise PermissionDenied
    return topic


def _topic_page(request, topic, *, vet_form=None, vote_forms=None, status=200):
    sessions = selectors.sessions_of(topic)
    grids = list(Grid.objects.filter(parent=topic.community, kind=Grid.Kind.GRID).order_by("lft"))
    selectors.add_tallies(sessions)
    for session in sessions:
        session.vote_form = (vote_forms or {}).get(session.pk) or SessionVoteForm()
    return render(
        request,
        "deliberation/topic_detail.html",
        {
            "topic": topic,
            "sessions": sessions,
            "resolutions": list(topic.resolutions.select_related("owner", "case")),
            "vet_form": vet_form or VetForm(),
            "grids": grids,
            "admin_session_url": reverse("admin:deliberation_session_add") + f"?topic={topic.pk}",
            "admin_resolution_url": reverse("admin:deliberation_resolution_add") + f"?topic={topic.pk}",
        },
        status=status,
    )


@scope_required
def topic_detail(request, pk):
    return _topic_page(request, _staff_topic(request, pk))


@require_POST
@scope_required
def topic_vet(request, pk):
    topic = _staff_topic(request, pk)
    form = VetForm(request.POST)
    if form.is_valid():
        try:
            services.topic_vet(
                by=request.user,
                topic=topic,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # already vetted (by a colleague, meanwhile)
                messages.error(request, " ".join(error.messages))
                return redirect("deliberation:topic_detail", pk=topic.pk)
            _form_errors(form, error)
        else:
            messages.success(request, _("已审核。"))
            return redirect("deliberation:topic_detail", pk=topic.pk)
    return _topic_page(request, topic, vet_form=form, status=400)


def _household_at(community, grid_id, address):
    parts = parse_address(address)
    if parts is None:
        return None, _("住户请写成 楼-单元-房号，例如 3-2-301。")
    households = Household.objects.filter(address_condition(*parts), grid__parent=community).select_related(
        "grid", "building"
    )
    if grid_id and str(grid_id).isdigit() and len(str(grid_id)) < 12:
        households = households.filter(grid_id=int(grid_id))
    found = list(households[:5])
    if not found:
        return None, _("本社区没有 %(address)s 这户，请核对楼栋、单元和房号。") % {"address": address}
    if len(found) > 1:
        return None, _("本社区有几户都是 %(address)s（%(grids)s），请先选网格。") % {
            "address": address,
            "grids": "、".join(h.grid.name for h in found),
        }
    return found[0], None


@require_POST
@scope_required
def session_vote(request, pk):
    """Staff record one household's ballot at the session (a show of hands, a paper slip)."""
    session = Session.objects.select_related("topic__community", "community").filter(pk=pk).first()
    if session is None or not staff_over(request.user, session.community):
        raise Http404
    form = SessionVoteForm(request.POST)
    form.grid_value = request.POST.get("grid", "")
    if form.is_valid():
        household, problem = _household_at(
            session.community, request.POST.get("grid"), form.cleaned_data["address"]
        )
        if problem:
            form.add_error("address", problem)
        else:
            try:
                services.vote_record(
                    by=request.user, session=session, household=household, choice=form.cleaned_data["choice"]
                )
            except ValidationError as error:
                if not hasattr(error, "error_dict"):  # already voted, or the vote was closed meanwhile
                    messages.error(request, " ".join(error.messages))
                    return redirect(
                        reverse("deliberation:topic_detail", args=[session.topic_id])
                        + f"#session-{session.pk}"
                    )
                _form_errors(form, error)
            else:
                messages.success(
                    request, _("已登记 %(household)s 的一票。") % {"household": household.address_label}
                )
                return redirect(
                    reverse("deliberation:topic_detail", args=[session.topic_id]) + f"#session-{session.pk}"
                )
    return _topic_page(request, session.topic, vote_forms={session.pk: form}, status=400)


@require_POST
@scope_required
def session_codes(request, pk):
    """One-time codes for every household of the community that has neither a code nor a vote; shown once."""
    session = Session.objects.select_related("topic", "community").filter(pk=pk).first()
    if session is None or not staff_over(request.user, session.community):
        raise Http404
    households = Household.objects.filter(grid__parent=session.community).select_related("building", "grid")
    try:
        issued = services.vote_codes_issue(
            by=request.user,
            session=session,
            households=households.order_by("grid__lft", "building__sort_key", "unit", "room"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("deliberation:topic_detail", pk=session.topic_id)
    link = request.build_absolute_uri(reverse("deliberation:vote"))
    return render(
        request,
        "deliberation/vote_codes.html",
        {
            "session": session,
            "issued": [(h.grid.name, h.address_label, code) for h, code in issued],
            "link": link,
        },
    )


@require_POST
@scope_required
def session_close(request, pk):
    session = Session.objects.select_related("community").filter(pk=pk).first()
    if session is None or not staff_over(request.user, session.community):
        raise Http404
    services.session_close_vote(by=request.user, session=session)
    messages.success(request, _("表决已结束，结果已在公示中显示。"))
    return redirect("deliberation:topic_detail", pk=session.topic_id)


# --- the resolution owner ------------------------------------------------------------------------


def _resolutions_page(request, forms=None, status=200):
    resolutions = list(selectors.my_resolutions(request.user))
    for resolution in resolutions:
        resolution.progress_form = (forms or {}).get(("progress", resolution.pk)) or ProgressForm()
        resolution.case_form = (forms or {}).get(("case", resolution.pk)) or OpenCaseForm(
            categories=categories_of(resolution.community.get_root())
        )
    return render(request, "deliberation/my_resolutions.html", {"resolutions": resolutions}, status=status)


@login_required
def my_resolutions(request):
    return _resolutions_page(request)


@require_POST
@login_required
def resolution_progress(request, pk):
    resolution = selectors.get_my_resolution_or_404(request.user, pk)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.resolution_progress(
                by=request.user,
                resolution=resolution,
                progress=form.cleaned_data["progress"],
                done=form.cleaned_data["done"],
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, getattr(error, "messages", [str(error)]))
        else:
            messages.success(request, _("进展已更新，公示同步显示。"))
            return redirect("deliberation:my_resolutions")
    return _resolutions_page(request, {("progress", resolution.pk): form}, status=400)


@require_POST
@login_required
def resolution_case(request, pk):
    resolution = selectors.get_my_resolution_or_404(request.user, pk)
    form = OpenCaseForm(request.POST, categories=categories_of(resolution.community.get_root()))
    if form.is_valid():
        try:
            case = services.resolution_open_case(
                by=request.user, resolution=resolution, category=form.cleaned_data["category"]
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, getattr(error, "messages", [str(error)]))
        else:
            messages.success(
                request, _("已转为网格事件 %(code)s，按事件流程分派办理。") % {"code": case.code}
            )
            return redirect("deliberation:my_resolutions")
    return _resolutions_page(request, {("case", resolution.pk): form}, status=400)
