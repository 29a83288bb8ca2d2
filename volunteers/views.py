import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from portal.decorators import scope_required
from portal.models import PersonalDataLog
from portal.pdf import pdf_response, render_pdf
from portal.privacy import can_view_personal_data, mask_id_number, personal_data_record
from portal.qr import qr_data_uri
from portal.xlsx import workbook_bytes, xlsx_response
from volunteers import exports, selectors, services
from volunteers.access import can_manage_team, can_organise, volunteer_of
from volunteers.forms import (
    ActivityForm,
    ExportForm,
    ManualRecordForm,
    PeriodForm,
    RecordForm,
)
from volunteers.models import Activity, ServiceRecord
from volunteers.tokens import TokenExpired, TokenInvalid, checkin_activity_id, checkin_token


def _fail(request, error):
    messages.error(request, " ".join(error.messages))


def _no_volunteer(request):
    return render(request, "volunteers/not_registered.html", status=403)


# --- activities, for volunteers ----------------------------------------------------------------


@login_required
def activity_list(request):
    category = request.GET.get("category") or ""
    if category not in Activity.Category.values:
        category = ""
    activities = selectors.upcoming_activities(request.user, category=category or None)
    page = Paginator(activities, 20).get_page(request.GET.get("page"))
    volunteer = volunteer_of(request.user)
    mine = selectors.signed_up_ids(volunteer, page.object_list)
    return render(
        request,
        "volunteers/activity_list.html",
        {
            "page": page,
            "mine": mine,
            "category": category,
            "categories": Activity.Category.choices,
            "volunteer": volunteer,
            "organises": selectors.activities_organised_by(request.user).exists(),
        },
    )


@login_required
def activity_detail(request, pk):
    activity = selectors.get_activity_for_user_or_404(request.user, pk)
    volunteer = volunteer_of(request.user)
    record = selectors.record_of(activity, volunteer)
    return render(
        request,
        "volunteers/activity_detail.html",
        {
            "activity": activity,
            "volunteer": volunteer,
            "signup": selectors.signup_of(activity, volunteer),
            "record": record,
            "state": activity.signup_state(),
            "can_organise": can_organise(request.user, activity),
        },
    )


@require_POST
@login_required
def activity_signup(request, pk):
    activity = selectors.get_activity_for_user_or_404(request.user, pk)
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        return _no_volunteer(request)
    try:
        services.signup_create(activity=activity, volunteer=volunteer)
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("报名成功：%(title)s。") % {"title": activity.title})
    return redirect("volunteers:activity_detail", pk=activity.pk)


@require_POST
@login_required
def activity_withdraw(request, pk):
    activity = selectors.get_activity_for_user_or_404(request.user, pk)
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        return _no_volunteer(request)
    try:
        services.signup_cancel(activity=activity, volunteer=volunteer)
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("已取消报名。"))
    return redirect("volunteers:activity_detail", pk=activity.pk)


@login_required
def checkin(request, token):
    """The page a volunteer's phone opens from the QR code; checking in is a POST from it."""
    try:
        activity_id = checkin_activity_id(token)
    except TokenInvalid:
        raise Http404 from None
    except TokenExpired:
        return render(request, "volunteers/checkin.html", {"expired": True}, status=410)
    activity = selectors.get_activity_for_user_or_404(request.user, activity_id)
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        return _no_volunteer(request)
    if request.method == "POST":
        try:
            services.attendance_check_in(
                activity=activity, volunteer=volunteer, user=request.user, source=ServiceRecord.Source.QR
            )
        except ValidationError as error:
            _fail(request, error)
        else:
            messages.success(request, _("签到成功，感谢您的服务！"))
            return redirect("volunteers:activity_detail", pk=activity.pk)
    record = selectors.record_of(activity, volunteer)
    return render(
        request, "volunteers/checkin.html", {"activity": activity, "record": record, "token": token}
    )


# --- teams -----------------------------------------------------------------------------------------


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
        return _no_volunteer(request)
    try:
        services.team_join(team=team, volunteer=volunteer)
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("已提交入队申请，等待队长审核。"))
    return redirect("volunteers:team_detail", pk=team.pk)


@require_POST
@login_required
def team_leave(request, pk):
    team = selectors.get_team_for_user_or_404(request.user, pk)
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        return _no_volunteer(request)
    try:
        services.team_leave(team=team, volunteer=volunteer)
    except ValidationError as error:
        _fail(request, error)
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
        _fail(request, error)
    else:
        text = _("已同意 %(name)s 入队。") if approve else _("已婉拒 %(name)s 的申请。")
        messages.success(request, text % {"name": membership.volunteer})
    return redirect("volunteers:team_detail", pk=membership.team_id)


# --- organising: publish, attendance, verification ---------------------------------------------------


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
        _fail(request, error)
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
        _fail(request, error)
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
        _fail(request, error)
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
            _fail(request, error)
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
        _fail(request, error)
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
        _fail(request, error)
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


# --- records of service (PDF) ---------------------------------------------------------------------


def _statement_pdf(request, volunteer, form):
    street = selectors.street_of(volunteer.community)
    issuer = _("%(street)s党建引领基层治理平台") % {"street": street.name}
    statement, records = services.service_statement_issue(
        volunteer=volunteer,
        user=request.user,
        period_from=form.cleaned_data["date_from"],
        period_to=form.cleaned_data["date_to"],
        issuer=issuer,
    )
    data = render_pdf(
        "volunteers/statement_pdf.html",
        {
            "statement": statement,
            "volunteer": volunteer,
            "masked_id": mask_id_number(volunteer.id_number),
            "records": records,
            "street": street,
        },
    )
    return pdf_response(data, f"服务记录-{volunteer.number}-{statement.serial}.pdf")


def _statements_rate(group, request):
    # A service-record PDF costs seconds of work: a few an hour per person is plenty.
    return f"{settings.VOLUNTEER_STATEMENTS_PER_HOUR}/h"


_statement_limit = ratelimit(
    key="user", rate=_statements_rate, method="POST", block=True, group="volunteers.statement_pdf"
)


def _period_initial():
    today = timezone.localdate()
    return {"date_from": datetime.date(today.year, 1, 1), "date_to": today}


@login_required
@_statement_limit
def my_statement(request):
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        return _no_volunteer(request)
    form = PeriodForm(request.POST or None, initial=_period_initial())
    if request.method == "POST" and form.is_valid():
        return _statement_pdf(request, volunteer, form)
    return render(
        request,
        "volunteers/statement_form.html",
        {"form": form, "volunteer": volunteer},
        status=400 if request.method == "POST" else 200,
    )


@scope_required
@permission_required("volunteers.view_volunteer", raise_exception=True)
@_statement_limit
def volunteer_statement(request, pk):
    volunteer = selectors.get_volunteer_for_user_or_404(request.user, pk)
    form = PeriodForm(request.POST or None, initial=_period_initial())
    if request.method == "POST" and form.is_valid():
        return _statement_pdf(request, volunteer, form)
    return render(
        request,
        "volunteers/statement_form.html",
        {"form": form, "volunteer": volunteer},
        status=400 if request.method == "POST" else 200,
    )


# --- staff: export, 双报到, points -------------------------------------------------------------------------


@scope_required
@permission_required("volunteers.view_servicerecord", raise_exception=True)
def records_export(request):
    user = request.user
    form = ExportForm(
        request.GET or None, mappings=selectors.export_mappings_visible_to(user), initial=_period_initial()
    )
    activity = None
    if request.GET.get("activity", "").isdigit():
        activity = selectors.get_activity_for_user_or_404(user, int(request.GET["activity"]))
    if not form.is_bound or not form.is_valid():
        return render(
            request,
            "volunteers/export_form.html",
            {"form": form, "activity": activity},
            status=400 if form.is_bound else 200,
        )
    columns = form.columns()
    unmasked = can_view_personal_data(user)
    records = selectors.records_for_export(
        user, form.cleaned_data["date_from"], form.cleaned_data["date_to"], activity
    )
    rows = list(exports.rows(records, columns, unmasked))
    data = workbook_bytes([(_("志愿服务记录"), [h for h, _k in columns], rows)])
    if unmasked and exports.has_personal_data(columns) and rows:
        personal_data_record(
            actor=user,
            action=PersonalDataLog.Action.EXPORT,
            subject=ServiceRecord,
            fields=[k for _h, k in columns if k in exports.PERSONAL_KEYS],
            detail=_("导出服务记录 %(count)s 行") % {"count": len(rows)},
        )
    start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    name = f"志愿服务记录-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    if activity is not None:
        name = f"志愿服务记录-{activity.title}-{activity.pk}.xlsx"
    return xlsx_response(data, name)


@scope_required
@permission_required("volunteers.view_dualreport", raise_exception=True)
def dual_reports(request):
    by_community, by_unit = selectors.dual_report_summary(request.user)
    people, title = None, ""
    community = request.GET.get("community", "")
    unit = request.GET.get("unit")
    reported = {"1": True, "0": False}.get(request.GET.get("reported", ""))
    if community.isdigit() or unit:
        people = selectors.dual_report_people(
            request.user,
            community=int(community) if community.isdigit() else None,
            unit=unit,
            reported=reported,
        )
        people = Paginator(people, 50).get_page(request.GET.get("page"))
        title = unit or next(
            (c["community__name"] for c in by_community if str(c["community_id"]) == community), ""
        )
    return render(
        request,
        "volunteers/dual_reports.html",
        {
            "by_community": by_community,
            "by_unit": by_unit,
            "people": people,
            "title": title,
            "reported": reported,
            "query": request.GET.copy(),
        },
    )
