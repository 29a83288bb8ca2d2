"""我的待办 and 消息: thin views over inbox.todo, inbox.selectors and inbox.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inbox import counts, selectors, services
from inbox.forms import PreferenceForm

PAGE_SIZE = 30


@login_required
def todo(request):
    return render(request, "inbox/todo.html", {"board": counts.board_for(request.user)})


@login_required
def notifications(request):
    page = Paginator(selectors.notifications_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "inbox/notifications.html", {"page": page})


@login_required
def notification_open(request, pk):
    """Open a notification: marked read, then on to where it points."""
    notification = selectors.get_notification_for_user_or_404(request.user, pk)
    services.notification_read(notification=notification, user=request.user)
    target = notification.link
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("inbox:notifications")


@require_POST
@login_required
def notifications_read_all(request):
    changed = services.notifications_read_all(user=request.user)
    if changed:
        messages.success(request, _("已全部标为已读。"))
    return redirect("inbox:notifications")


@login_required
def preferences(request):
    preference = services.preference_of(request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST":
        if form.is_valid():
            services.preference_save(user=request.user, **form.cleaned_data)
            counts.forget([request.user.pk])
            messages.success(request, _("通知设置已保存。"))
            return redirect("inbox:preferences")
        return render(
            request, "inbox/preferences.html", {"form": form, "user_phone": _phone(request.user)}, status=400
        )
    return render(request, "inbox/preferences.html", {"form": form, "user_phone": _phone(request.user)})


def _phone(user):
    from volunteers.selectors import phones_of_users

    return user.phone or phones_of_users([user]).get(user.pk, "")
