"""Pages of joint meetings: scheduling, recording attendance and minutes, cancelling, problems and their follow-up."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliances import access, selectors, services
from alliances.forms import (
    FollowUpForm,
    MeetingForm,
    MeetingRecordForm,
    ProblemForm,
    ReasonForm,
    default_meeting_time,
)
from alliances.models import (
    JointMeeting,
    MeetingProblem,
    MemberUnit,
)
from alliances.views.common import _error_text, _staff_only, form_errors
from portal.access import staff_over


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
                form_errors(form, error)
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
            form_errors(form, error)
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
