"""Grid cases in the to-do: what waits at one's level, results to verify, overdue cases, dispatches to answer."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases import access, selectors
from cases.models import Level
from portal.roles import Role, has_role
from portal.text import aside
from portal.todo import Item, provider, section


def _level(viewer):
    """The level the viewer acts at, from the roles already read (no query): street, community or grid."""
    if viewer.street_level:
        return Level.STREET
    if has_role(viewer.user, Role.COMMUNITY_SECRETARY):
        return Level.COMMUNITY
    return Level.GRID


def _place(case):
    return case.grid.name if case.grid_id != case.community_id else case.community.name


def _item(case, when, when_label, late=False):
    return Item(
        label=aside(case.description[:30], _place(case)),
        url=reverse("cases:detail", args=[case.pk]),
        detail=case.category.name,
        when=when,
        when_label=when_label,
        late=late or case.overdue,
    )


@provider(order=15)
def staff_cases(viewer, rows):
    if not (viewer.has_scope and viewer.can(access.HANDLE)):
        return
    user = viewer.user
    level = _level(viewer)
    yield section(
        "cases_waiting",
        _("等待受理或办理的网格事件") if level != Level.GRID else _("本网格的事件"),
        reverse("cases:queue") + f"?level={level}",
        selectors.waiting_at(user, level),
        rows,
        lambda c: _item(c, c.sign_due_at if c.state == "reported" else c.finish_due_at, _("期限")),
    )
    if viewer.can(access.VERIFY) and level == Level.COMMUNITY:
        yield section(
            "cases_verify",
            _("办理完成待核实的事件"),
            reverse("cases:queue") + "?state=done",
            selectors.waiting_for_verification(user),
            rows,
            lambda c: _item(c, c.done_at, _("完成")),
        )
    if viewer.street_level and viewer.can(access.DISPATCH):
        yield section(
            "cases_overdue",
            _("超时的网格事件"),
            reverse("cases:queue") + "?overdue=1",
            selectors.overdue_cases(user),
            rows,
            lambda c: _item(c, c.finish_due_at or c.sign_due_at, _("期限"), late=True),
            late=True,
            hint=_("可以督办、转派或升级处理。"),
        )


@provider(order=25)
def dispatches(viewer, rows):
    user = viewer.user
    if not user.is_authenticated or viewer.admin:
        return
    # Counted with every other section in one query; shown only when there is one.
    yield section(
        "cases_dispatched",
        _("派遣给本单位的网格事件"),
        reverse("cases:queue"),
        selectors.dispatches_for_responder(user, live_only=True),
        rows,
        lambda d: Item(
            label=aside(d.case.description[:30], _place(d.case)),
            url=reverse("cases:dispatch", args=[d.pk]),
            detail=f"{d.responder} · {d.get_state_display()}",
            when=d.sign_due_at if d.state == "dispatched" else d.finish_due_at,
            when_label=_("期限"),
            late=bool(d.sign_overdue_at or d.finish_overdue_at),
        ),
    )
