"""Pages for organisers (team leaders and staff): publishing activities, the attendance roster, adding people, verifying hours, the check-in QR."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from portal.qr import qr_data_uri
from volunteers import selectors, services
from volunteers.forms import (
    ActivityForm,
    ManualRecordForm,
    RecordForm,
)
from volunteers.models import ServiceRecord
from volunteers.tokens import checkin_token
from volunteers.views.common import fail


@login_required
def organise_list(request):
    activities = selectors.activities_organised_by(request.user)
    can_publish = selectors.teams_organisable_by(request.user).exists()
    if not can_publish and not activities.exists():
        raise PermissionDenied
    return render(
        request,
        "volunteers/organise_list.html",
        {"activities": activities[:60], "can_publish": can_publish, "now": timezone.now()},
    )


@login_required
def activity_new(request):
    teams = selectors.teams_organisable_by(request.user).order_by("name")
    if not teams.exists():
        raise PermissionDenied
    communities = selectors.places_for(request.user, list(teams))
    form = ActivityForm(request.POST or None, teams=teams, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            activity = services.activity_create(user=request.user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("活动已发布。"))
            return redirect("volunteers:attendance", pk=activity.pk)
    elif request.method == "GET":
        team = teams.first()
        home = team.community if team.community.parent_id else None
        form.initial.update({"team": team.pk, "community": home.pk if home else None, "capacity": 20})
    status = 400 if request.method == "POST" else 200
    return render(request, "volunteers/activity_form.html", {"form": form}, status=status)


@login_required
def activity_edit(request, pk):
    activity = selectors.get_activity_for_organiser_or_404(request.user, pk)
    teams = selectors.teams_organisable_by(request.user, also=activity.team)
    communities = selectors.places_for(request.user, [activity.team])
    form = ActivityForm(request.POST or None, instance=activity, teams=teams, communities=communities)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(activity=activity, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("活动已更新。"))
            return redirect("volunteers:attendance", pk=activity.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "volunteers/activity_form.html", {"form": form, "activity": activity}, status=status
    )


@require_POST
@login_required
def activity_cancel(request, pk):
    activity = selectors.get_activity_for_organiser_or_404(request.user, pk)
    try:
        services.activity_cancel(activity=activity, user=request.user)
    except ValidationError as error:
        fail(request, error)
    else:
        messages.success(request, _("活动已取消。"))
    return redirect("volunteers:attendance", pk=activity.pk)


@login_required
def attendance(request, pk):
    """The organiser's phone page: who came, check in and out, hours, verification."""
    activity = selectors.get_activity_for_organiser_or_404(request.user, pk)
    roster = selectors.attendance_roster(activity)
    counts = dict.fromkeys(("waiting", "on_site", "done", "leave", "absent"), 0)
    for row in roster:
        counts[row.state] += 1
    counts["away"] = counts["leave"] + counts["absent"]
    unverified = [
        r.record for r in roster if r.record and not r.record.is_verified and not r.record.is_on_site
    ]
    return render(
        request,
        "volunteers/attendance.html",
        {
            "activity": activity,
            "roster": roster,
            "counts": counts,
            "unverified": len(unverified),
            "manual_form": ManualRecordForm(),
            "now": timezone.now(),
        },
    )


_ACTIONS = {
    "check_in": lambda a, v, u: services.attendance_check_in(
        activity=a, volunteer=v, user=u, source=ServiceRecord.Source.ORGANISER
    ),
    "check_out": lambda a, v, u: services.attendance_check_out(activity=a, volunteer=v, user=u),
    "leave": lambda a, v, u: services.attendance_mark_away(
        activity=a, volunteer=v, user=u, attendance=ServiceRecord.Attendance.LEAVE
    ),
    "absent": lambda a, v, u: services.attendance_mark_away(
        activity=a, volunteer=v, user=u, attendance=ServiceRecord.Attendance.ABSENT
    ),
}


@require_POST
@login_required
def attendance_mark(request, pk):
    activity = selectors.get_activity_for_organiser_or_404(request.user, pk)
    action = _ACTIONS.get(request.POST.get("action", ""))
    row = next(
        (
            r
            for r in selectors.attendance_roster(activity)
            if str(r.volunteer.pk) == request.POST.get("volunteer")
        ),
        None,
    )
    if action is None or row is None:
        messages.error(request, _("请在名单中选择志愿者和操作。"))
        return redirect("volunteers:attendance", pk=activity.pk)
    try:
        action(activity, row.volunteer, request.user)
    except ValidationError as error:
        fail(request, error)
    else:
        messages.success(request, _("已更新 %(name)s 的记录。") % {"name": row.volunteer})
    return redirect(reverse("volunteers:attendance", args=[activity.pk]) + f"#v{row.volunteer.pk}")


@require_POST
@login_required
def attendance_check_out_all(request, pk):
    activity = selectors.get_activity_for_organiser_or_404(request.user, pk)
    try:
        records = services.attendance_check_out_all(activity=activity, user=request.user)
    except ValidationError as error:
        fail(request, error)
    else:
        messages.success(request, _("已为 %(n)s 人签退。") % {"n": len(records)})
    return redirect("volunteers:attendance", pk=activity.pk)


@require_POST
@login_required
def record_update(request, pk):
    record = selectors.get_record_for_organiser_or_404(request.user, pk)
    form = RecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            services.service_record_update(record=record, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            fail(request, error)
        else:
            messages.success(request, _("已保存 %(name)s 的服务时长。") % {"name": record.volunteer})
    return redirect(reverse("volunteers:attendance", args=[record.activity_id]) + f"#v{record.volunteer_id}")


@require_POST
@login_required
# Each try answers whether a number belongs to someone: a few dozen an hour is plenty.
@ratelimit(key="user", rate="30/h", method="POST", block=True, group="volunteers.attendance_add")
def attendance_add(request, pk):
    activity = selectors.get_activity_for_organiser_or_404(request.user, pk)
    form = ManualRecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("volunteers:attendance", pk=activity.pk)
    volunteer = selectors.find_volunteer_to_add(request.user, activity, form.cleaned_data["who"])
    if volunteer is None:
        messages.error(
            request,
            _("本队队员和本活动报名者中没有编号或手机号为“%(who)s”的志愿者。请先请对方报名或加入服务队。")
            % {"who": form.cleaned_data["who"]},
        )
        return redirect("volunteers:attendance", pk=activity.pk)
    try:
        services.service_record_add_manual(
            activity=activity,
            volunteer=volunteer,
            user=request.user,
            hours=form.cleaned_data["hours"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        fail(request, error)
    else:
        messages.success(request, _("已为 %(name)s 补录服务记录。") % {"name": volunteer})
    return redirect("volunteers:attendance", pk=activity.pk)


@require_POST
@login_required
def activity_verify(request, pk):
    activity = selectors.get_activity_for_organiser_or_404(request.user, pk)
    try:
        result = services.service_records_verify(activity=activity, user=request.user)
    except ValidationError as error:
        fail(request, error)
    else:
        text = _("已核验 %(n)s 条记录，%(points)s 人获得积分。") % {
            "n": result.verified,
            "points": result.points,
        }
        if result.absent:
            text += _(" 未签到的 %(n)s 人记为缺勤。") % {"n": result.absent}
        if result.own_skipped:
            text += _(" 您本人的记录需由其他队长或社区工作人员核验。")
        messages.success(request, text)
    return redirect("volunteers:attendance", pk=activity.pk)


@login_required
def activity_qr(request, pk):
    activity = selectors.get_activity_for_organiser_or_404(request.user, pk)
    url = request.build_absolute_uri(reverse("volunteers:checkin", args=[checkin_token(activity)]))
    # Refresh well before the token runs out, so the code on screen always works.
    refresh = max(30, settings.VOLUNTEER_CHECKIN_QR_MINUTES * 60 // 2)
    return render(
        request,
        "volunteers/activity_qr.html",
        {"activity": activity, "qr": qr_data_uri(url, scale=10), "url": url, "refresh": refresh},
    )
