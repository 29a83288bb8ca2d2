"""Volunteer service in the to-do: activities ahead (and check-in), hours to verify, applications."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.text import aside
from portal.todo import Item, provider, section
from volunteers import selectors
from volunteers.access import volunteer_of


def _volunteer(viewer):
    return viewer.memo("volunteers.volunteer", lambda: volunteer_of(viewer.user))


def _checkin_open(activity, now):
    opens = activity.starts_at - datetime.timedelta(minutes=settings.VOLUNTEER_CHECKIN_OPENS_MINUTES)
    return opens <= now < activity.ends_at


@provider(order=40)
def activities(viewer, rows):
    if _volunteer(viewer) is None:
        return
    now = viewer.now

    def item(signup):
        activity = signup.activity
        checkin = _checkin_open(activity, now)
        return Item(
            label=aside(activity.title, activity.place),
            url=reverse("volunteers:activity_detail", args=[activity.pk]),
            detail=_("现在可以签到：到场后扫组织者的二维码") if checkin else "",
            when=timezone.localtime(activity.starts_at),
            when_label=_("开始"),
            late=checkin,
        )

    yield section(
        "activities",
        _("报名的活动"),
        reverse("volunteers:activity_list"),
        selectors.upcoming_signups(_volunteer(viewer), now, settings.VOLUNTEER_TODO_DAYS),
        rows,
        item,
        hint=_("未来 %(days)s 天内；活动开始前 %(minutes)s 分钟开放签到。")
        % {"days": settings.VOLUNTEER_TODO_DAYS, "minutes": settings.VOLUNTEER_CHECKIN_OPENS_MINUTES},
    )


@provider(order=50)
def organising(viewer, rows):
    if _volunteer(viewer) is None and not viewer.admin:
        return
    yield section(
        "hours_to_verify",
        _("待核验的服务时长"),
        reverse("volunteers:organise_list"),
        selectors.hours_to_verify(viewer.user, viewer.now),
        rows,
        lambda a: Item(
            label=aside(a.title, a.team.name),
            url=reverse("volunteers:attendance", args=[a.pk]),
            when=timezone.localtime(a.ends_at),
            when_label=_("结束"),
        ),
    )
    if _volunteer(viewer) is not None:
        yield section(
            "applications",
            _("待审核的入队申请"),
            reverse("volunteers:team_list"),
            selectors.pending_applications(viewer.user),
            rows,
            lambda m: Item(
                label=aside(m.volunteer.name, m.team.name),
                url=reverse("volunteers:team_detail", args=[m.team_id]),
                when=m.applied_at,
                when_label=_("申请"),
            ),
        )
