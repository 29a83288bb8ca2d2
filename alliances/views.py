"""Pages of the alliances: thin views over alliances.selectors and alliances.services.

Objects outside what a user may reach answer 404 (like absent ones); an action
on a visible object that the user may not take answers 403.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliances import access, selectors, services
from alliances.forms import (
    ChairGenerateForm,
    ChairSwapForm,
    FollowUpForm,
    MatchForm,
    MeetingForm,
    MeetingRecordForm,
    ProblemForm,
    ProjectStatusForm,
    ProjectUpdateForm,
    ReasonForm,
    ResourceForm,
    default_meeting_time,
)
from alliances.models import (
    JointMeeting,
    MeetingProblem,
    MemberUnit,
    Need,
    Project,
)
from portal.access import staff_over
from portal.decorators import scope_required
from portal.months import month_start
from portal.scoping import NOTHING, scope_of

PAGE_SIZE = 30


def _error_text(error):
    return " ".join(error.messages)


def staff_or_liaison_required(view):
    """Signed in, and either holding a grid scope (staff) or being a unit's liaison."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if scope_of(request.user) is NOTHING and not access.liaison_unit_ids(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _staff_only(user, node, permission):
    if not staff_over(user, node, permission):
        raise PermissionDenied


# --- alliances and the chair -----------------------------------------------------------


@staff_or_liaison_required
def index(request):
    alliances = selectors.alliances_visible_to(request.user).order_by("grid__tree_id", "grid__lft")
    return render(
        request,
        "alliances/index.html",
        {"alliances": alliances, "my_units": selectors.units_of_liaison(request.user)},
    )


def _alliance_context(request, alliance, **extra):
    user = request.user
    current, former = selectors.alliance_members(alliance)
    schedule = selectors.chair_schedule(alliance)
    this_month = month_start(timezone.localdate())
    my_ids = access.liaison_unit_ids(user)
    can_manage = staff_over(user, alliance.grid, "alliances.change_chairterm")
    context = {
        "alliance": alliance,
        "current": current,
        "former": former,
        "schedule": schedule,
        "this_month": this_month,
        "my_memberships": [m for m in current if m.unit_id in my_ids],
        "signed_count": sum(1 for m in current if m.covenant_signed_on),
        "current_chair": next((t for t in schedule if t.month == this_month), None),
        "meetings": alliance.meetings.select_related("chair_unit").order_by("-held_at")[:12],
        "can_manage": can_manage,
        "can_meet": staff_over(user, alliance.grid, "alliances.add_jointmeeting"),
        "generate_form": ChairGenerateForm(initial={"start": f"{this_month:%Y-%m}", "months": 12}),
        "swap_form": ChairSwapForm(terms=[t for t in schedule if t.month >= this_month]),
    }
    context.update(extra)
    return context


@login_required
def alliance_detail(request, pk):
    alliance = selectors.get_alliance_for_user_or_404(request.user, pk)
    return render(request, "alliances/alliance_detail.html", _alliance_context(request, alliance))


@require_POST
@login_required
def chair_generate(request, pk):
    alliance = selectors.get_alliance_for_user_or_404(request.user, pk)
    _staff_only(request.user, alliance.grid, "alliances.change_chairterm")
    form = ChairGenerateForm(request.POST)
    if form.is_valid():
        try:
            created = services.chair_schedule_generate(
                alliance=alliance, start=form.cleaned_data["start"], months=form.cleaned_data["months"]
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            if created:
                messages.success(request, _("已安排 %(n)s 个月的轮值主席。") % {"n": len(created)})
            else:
                messages.info(request, _("这些月份都已有轮值主席，没有变化。"))
            return redirect("alliances:alliance_detail", pk=alliance.pk)
    context = _alliance_context(request, alliance, generate_form=form)
    return render(request, "alliances/alliance_detail.html", context, status=400)


@require_POST
@login_required
def chair_swap(request, pk):
    alliance = selectors.get_alliance_for_user_or_404(request.user, pk)
    _staff_only(request.user, alliance.grid, "alliances.change_chairterm")
    this_month = month_start(timezone.localdate())
    terms = [t for t in selectors.chair_schedule(alliance) if t.month >= this_month]
    form = ChairSwapForm(request.POST, terms=terms)
    if form.is_valid():
        try:
            services.chair_swap(
                alliance=alliance,
                first_month=form.cleaned_data["first_month"],
                second_month=form.cleaned_data["second_month"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("已调换这两个月的轮值主席。"))
            return redirect("alliances:alliance_detail", pk=alliance.pk)
    context = _alliance_context(request, alliance, swap_form=form)
    return render(request, "alliances/alliance_detail.html", context, status=400)


@require_POST
@login_required
def covenant_sign(request, pk):
    """A liaison signs the covenant for their unit (or staff record the signing today)."""
    alliance = selectors.get_alliance_for_user_or_404(request.user, pk)
    unit_id = request.POST.get("unit", "")
    if not unit_id.isdigit():
        raise Http404
    membership = alliance.memberships.select_related("unit__grid").filter(unit_id=int(unit_id)).first()
    if membership is None:
        raise Http404
    try:
        services.membership_sign_covenant(membership=membership, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("“%(unit)s”已签署联盟公约。") % {"unit": membership.unit})
    return redirect("alliances:alliance_detail", pk=alliance.pk)


# --- units and their resources -----------------------------------------------------------


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
                _form_errors(form, error)
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
                _form_errors(form, error)
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


def _form_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- needs and matching ---------------------------------------------------------------------


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


# --- projects -------------------------------------------------------------------------------


@staff_or_liaison_required
def project_list(request):
    projects = selectors.projects_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in Project.Status.values:
        projects = projects.filter(status=status)
    page = Paginator(projects.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "alliances/project_list.html",
        {"page": page, "status": status, "statuses": Project.Status.choices},
    )


def _project_context(request, project, **extra):
    user = request.user
    updates, history = selectors.project_timeline(project)
    can_post = access.can_post_update(user, project) and not project.is_finished
    context = {
        "project": project,
        "partners": project.partner_units.all(),
        "updates": updates,
        "history": history,
        "can_post": can_post,
        "can_manage": access.can_manage_project(user, project),
        "update_form": ProjectUpdateForm(can_set_progress=access.can_set_progress(user, project))
        if can_post
        else None,
        "status_form": ProjectStatusForm(current=project.status),
    }
    context.update(extra)
    return context


@login_required
def project_detail(request, pk):
    project = selectors.get_project_for_user_or_404(request.user, pk)
    return render(request, "alliances/project_detail.html", _project_context(request, project))


@login_required
def project_update_new(request, pk):
    """Phone-first: a liaison posts what happened, with photos."""
    project = selectors.get_project_for_user_or_404(request.user, pk)
    if not access.can_post_update(request.user, project):
        raise PermissionDenied
    can_set_progress = access.can_set_progress(request.user, project)
    if request.method != "POST":
        form = ProjectUpdateForm(can_set_progress=can_set_progress)
        return render(request, "alliances/project_update_form.html", {"project": project, "form": form})
    form = ProjectUpdateForm(request.POST, request.FILES, can_set_progress=can_set_progress)
    if form.is_valid():
        try:
            services.project_post_update(
                project=project,
                actor=request.user,
                text=form.cleaned_data["text"],
                progress_percent=form.cleaned_data.get("progress_percent"),
                photos=form.cleaned_data["photos"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("已发布进展。"))
            return redirect("alliances:project_detail", pk=project.pk)
    return render(
        request, "alliances/project_update_form.html", {"project": project, "form": form}, status=400
    )


@require_POST
@login_required
def project_status(request, pk):
    project = selectors.get_project_for_user_or_404(request.user, pk)
    if not access.can_manage_project(request.user, project):
        raise PermissionDenied
    form = ProjectStatusForm(request.POST, current=project.status)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("alliances:project_detail", pk=project.pk)
    try:
        services.project_set_status(
            project=project,
            to_status=form.cleaned_data["to_status"],
            actor=request.user,
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("项目状态已更新。"))
    return redirect("alliances:project_detail", pk=project.pk)


@login_required
def photo(request, pk):
    """A progress photo, for those who may see its project; never by its file path."""
    item = selectors.get_photo_for_user_or_404(request.user, pk)
    try:
        handle = item.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="photo-{item.pk}.jpg"'
    return response


# --- meetings --------------------------------------------------------------------------------


@login_required
def meeting_new(request, pk):
    alliance = selectors.get_alliance_for_user_or_404(request.user, pk)
    _staff_only(request.user, alliance.grid, "alliances.add_jointmeeting")
    form = MeetingForm(request.POST or None, initial={"held_at": default_meeting_time()})
    if request.method == "POST":
        if form.is_valid():
            try:
                meeting = services.meeting_schedule(
                    alliance=alliance, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(
                    request, _("已安排会议，轮值主席单位：%(unit)s。") % {"unit": meeting.chair_unit}
                )
                return redirect("alliances:meeting_detail", pk=meeting.pk)
        return render(
            request, "alliances/meeting_form.html", {"form": form, "alliance": alliance}, status=400
        )
    return render(request, "alliances/meeting_form.html", {"form": form, "alliance": alliance})


def _meeting_context(request, meeting, **extra):
    user = request.user
    units = MemberUnit.objects.filter(pk__in=meeting.alliance.memberships.values("unit_id")).order_by("name")
    problems = list(
        meeting.problems.select_related("owner_unit", "raised_by_unit").prefetch_related("follow_ups__by")
    )
    for problem in problems:
        problem.can_follow_up = (
            problem.status != MeetingProblem.Status.RESOLVED and access.can_follow_up_problem(user, problem)
        )
    context = {
        "meeting": meeting,
        "attendances": meeting.attendances.select_related("unit"),
        "problems": problems,
        "can_record": meeting.status == JointMeeting.Status.PLANNED
        and staff_over(user, meeting.alliance.grid, "alliances.change_jointmeeting"),
        "can_raise": meeting.status == JointMeeting.Status.HELD
        and staff_over(user, meeting.alliance.grid, "alliances.add_meetingproblem"),
        "not_yet_held": meeting.held_at > timezone.now(),
        "problem_form": ProblemForm(units=units),
        "follow_up_form": FollowUpForm(),
        "cancel_form": ReasonForm(),
    }
    context.update(extra)
    return context


@login_required
def meeting_detail(request, pk):
    meeting = selectors.get_meeting_for_user_or_404(request.user, pk)
    return render(request, "alliances/meeting_detail.html", _meeting_context(request, meeting))


@login_required
def meeting_record(request, pk):
    meeting = selectors.get_meeting_for_user_or_404(request.user, pk)
    _staff_only(request.user, meeting.alliance.grid, "alliances.change_jointmeeting")
    if meeting.status != JointMeeting.Status.PLANNED or meeting.held_at > timezone.now():
        messages.error(
            request,
            _("会议还没有召开，召开后再记录出席情况。")
            if meeting.status == JointMeeting.Status.PLANNED
            else _("这次会议已经%(status)s，不能再次记录。") % {"status": meeting.get_status_display()},
        )
        return redirect("alliances:meeting_detail", pk=meeting.pk)
    members = services.meeting_members(meeting)
    form = MeetingRecordForm(request.POST or None, members=members)
    context = {"meeting": meeting, "form": form}
    if request.method == "POST":
        if form.is_valid():
            try:
                services.meeting_record(
                    meeting=meeting,
                    actor=request.user,
                    attendance=form.attendance(),
                    minutes=form.cleaned_data["minutes"],
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("已记录会议，出席单位已计入积分。"))
                return redirect("alliances:meeting_detail", pk=meeting.pk)
        return render(request, "alliances/meeting_record.html", context, status=400)
    return render(request, "alliances/meeting_record.html", context)


@require_POST
@login_required
def meeting_cancel(request, pk):
    meeting = selectors.get_meeting_for_user_or_404(request.user, pk)
    _staff_only(request.user, meeting.alliance.grid, "alliances.change_jointmeeting")
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_cancel(meeting=meeting, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("会议已取消。"))
        return redirect("alliances:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "alliances/meeting_detail.html",
        _meeting_context(request, meeting, cancel_form=form),
        status=400,
    )


@require_POST
@login_required
def problem_new(request, pk):
    meeting = selectors.get_meeting_for_user_or_404(request.user, pk)
    _staff_only(request.user, meeting.alliance.grid, "alliances.add_meetingproblem")
    units = MemberUnit.objects.filter(pk__in=meeting.alliance.memberships.values("unit_id")).order_by("name")
    form = ProblemForm(request.POST, units=units)
    if form.is_valid():
        try:
            services.problem_raise(meeting=meeting, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已登记问题。"))
            return redirect("alliances:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "alliances/meeting_detail.html",
        _meeting_context(request, meeting, problem_form=form),
        status=400,
    )


@require_POST
@login_required
def problem_follow_up(request, pk):
    problem = selectors.get_problem_for_user_or_404(request.user, pk)
    if not access.can_follow_up_problem(request.user, problem):
        raise PermissionDenied
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.problem_follow_up(
                problem=problem,
                actor=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("已记录跟进情况。"))
        return redirect("alliances:meeting_detail", pk=problem.meeting_id)
    messages.error(request, _("请填写办理情况。"))
    return redirect("alliances:meeting_detail", pk=problem.meeting_id)
