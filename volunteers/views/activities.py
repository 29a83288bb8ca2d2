"""Pages of activities for volunteers: the list of the street's activities, one activity, signing up and withdrawing, QR check-in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from volunteers import selectors, services
from volunteers.access import can_organise, volunteer_of
from volunteers.models import Activity, ServiceRecord
from volunteers.tokens import TokenExpired, TokenInvalid, checkin_activity_id
from volunteers.views.common import fail, no_volunteer


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
        return no_volunteer(request)
    try:
        services.signup_create(activity=activity, volunteer=volunteer)
    except ValidationError as error:
        fail(request, error)
    else:
        messages.success(request, _("报名成功：%(title)s。") % {"title": activity.title})
    return redirect("volunteers:activity_detail", pk=activity.pk)


@require_POST
@login_required
def activity_withdraw(request, pk):
    activity = selectors.get_activity_for_user_or_404(request.user, pk)
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        return no_volunteer(request)
    try:
        services.signup_cancel(activity=activity, volunteer=volunteer)
    except ValidationError as error:
        fail(request, error)
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
        return no_volunteer(request)
    if request.method == "POST":
        try:
            services.attendance_check_in(
                activity=activity, volunteer=volunteer, user=request.user, source=ServiceRecord.Source.QR
            )
        except ValidationError as error:
            fail(request, error)
        else:
            messages.success(request, _("签到成功，感谢您的服务！"))
            return redirect("volunteers:activity_detail", pk=activity.pk)
    record = selectors.record_of(activity, volunteer)
    return render(
        request, "volunteers/checkin.html", {"activity": activity, "record": record, "token": token}
    )
