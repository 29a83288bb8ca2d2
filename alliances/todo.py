"""The alliance in the to-do: a unit's matched projects, updates, covenant, meetings, problems;
units' offers on needs and what is overdue in staff's scope."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances import selectors
from alliances.access import liaison_unit_ids
from portal.text import aside
from portal.todo import Item, provider, section

MEETING_DAYS = 14


@provider(order=60)
def unit_work(viewer, rows):
    ids = viewer.memo("alliances.units", lambda: sorted(liaison_unit_ids(viewer.user)))
    if not ids:
        return
    month_start = viewer.today.replace(day=1)
    since = timezone.make_aware(datetime.datetime.combine(month_start, datetime.time.min))
    yield section(
        "projects_to_start",
        _("匹配给本单位、待启动的项目"),
        reverse("alliances:my_unit"),
        selectors.matched_projects_to_start(ids),
        rows,
        lambda p: Item(
            label=aside(p.title, p.community.name),
            url=reverse("alliances:project_detail", args=[p.pk]),
            detail=p.need.title if p.need_id else "",
            when=p.start_on,
            when_label=_("计划开始"),
        ),
        hint=_("发布第一条进展，项目就开始实施。"),
    )
    yield section(
        "project_updates",
        _("本月还没更新进展的项目"),
        reverse("alliances:project_list"),
        selectors.projects_due_update(ids, since),
        rows,
        lambda p: Item(
            label=aside(p.title, p.community.name),
            url=reverse("alliances:project_update_new", args=[p.pk]),
            when=p.end_on,
            when_label=_("计划结束"),
            late=bool(p.end_on and p.end_on < viewer.today),
        ),
    )
    yield section(
        "covenants",
        _("待签署的联盟公约"),
        reverse("alliances:index"),
        selectors.covenants_to_sign(ids, viewer.today),
        rows,
        lambda m: Item(
            label=aside(m.alliance.name, m.unit.name),
            url=reverse("alliances:alliance_detail", args=[m.alliance_id]) + "#covenant",
            when=m.joined_on,
            when_label=_("加入"),
        ),
    )
    yield section(
        "meetings",
        _("近期的联席会议"),
        reverse("alliances:index"),
        selectors.meetings_ahead(ids, viewer.now, MEETING_DAYS),
        rows,
        lambda m: Item(
            label=aside(m.title, m.alliance.name),
            url=reverse("alliances:meeting_detail", args=[m.pk]),
            detail=m.place,
            when=timezone.localtime(m.held_at),
            when_label=_("开会"),
        ),
    )
    yield section(
        "problems",
        _("本单位负责、未办结的问题"),
        reverse("alliances:my_unit"),
        selectors.open_problems_of_units(ids),
        rows,
        lambda p: Item(
            label=p.description[:40],
            url=reverse("alliances:meeting_detail", args=[p.meeting_id]) + f"#problem-{p.pk}",
            when=p.due_on,
            when_label=_("期限"),
            late=bool(p.due_on and p.due_on < viewer.today),
        ),
    )


@provider(order=70)
def overdue_in_scope(viewer, rows):
    if not viewer.admin or not viewer.has_scope:
        return
    user, today = viewer.user, viewer.today
    yield section(
        "need_offers",
        _("单位认领、待确认的需求"),
        reverse("alliances:need_list"),
        selectors.offers_to_decide(user),
        rows,
        lambda o: Item(
            label=aside(o.need.title, o.need.community.name),
            url=reverse("alliances:need_detail", args=[o.need_id]) + f"#offer-{o.pk}",
            detail=o.unit.name,
            when=timezone.localtime(o.offered_at),
            when_label=_("认领"),
        ),
        hint=_("确认后立项，由认领单位牵头；不采纳请写明原因。"),
    )
    yield section(
        "overdue_projects",
        _("超过计划结束日期的项目"),
        reverse("alliances:project_list"),
        selectors.overdue_projects(user, today),
        rows,
        lambda p: Item(
            label=aside(p.title, p.lead_unit.name),
            url=reverse("alliances:project_detail", args=[p.pk]),
            detail=p.community.name,
            when=p.end_on,
            when_label=_("计划结束"),
            late=True,
        ),
        late=True,
    )
    yield section(
        "overdue_needs",
        _("过了期望日期仍未匹配的需求"),
        reverse("alliances:need_list"),
        selectors.overdue_needs(user, today),
        rows,
        lambda n: Item(
            label=aside(n.title, n.community.name),
            url=reverse("alliances:need_detail", args=[n.pk]),
            when=n.wanted_by,
            when_label=_("期限"),
            late=True,
        ),
        late=True,
    )
    yield section(
        "overdue_problems",
        _("逾期未办结的会议问题"),
        reverse("alliances:index"),
        selectors.overdue_problems(user, today),
        rows,
        lambda p: Item(
            label=p.description[:40],
            url=reverse("alliances:meeting_detail", args=[p.meeting_id]) + f"#problem-{p.pk}",
            detail=p.owner_unit.name if p.owner_unit_id else "",
            when=p.due_on,
            when_label=_("期限"),
            late=True,
        ),
        late=True,
    )
