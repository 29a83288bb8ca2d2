"""The dashboard's numbers as people read them: chart series and workbook sheets, in their language."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from alliances.selectors import PROJECT_STATUSES
from cases.presentation import case_table, responder_table, tables_as_sheets
from cases.selectors import rates
from grids.models import Grid, Household


def _place_header(node):
    if node is None:
        return _("街道")
    return {Grid.Kind.STREET: _("社区"), Grid.Kind.COMMUNITY: _("网格")}.get(node.kind)


def case_tables(data):
    """The cases section's tables: per place (with the total), per category, per responder."""
    cases = data["cases"]
    header = _place_header(data["node"])
    tables = []
    if header and cases["places"]:
        tables.append(case_table(_("网格事件"), header, cases["places"], total=cases["total"]))
    tables.append(
        case_table(_("事件类别"), _("类别"), cases["categories"], total=None if tables else cases["total"])
    )
    tables.append(responder_table(_("响应单位报到"), cases["responders"]))
    return tables


def _case_chart(data):
    cases = data["cases"]
    rows = cases["places"] if _place_header(data["node"]) and cases["places"] else cases["categories"]
    return {
        "places": [name for name, _c in rows],
        "received": [c["received"] for _n, c in rows],
        "finished": [c["finished"] for _n, c in rows],
        "on_time": [rates(c)["on_time_rate"] for _n, c in rows],
        "labels": {"received": _("收到"), "finished": _("办结"), "on_time": _("按时办结率（%）")},
    }


def dashboard_sheets(data):
    """The dashboard's numbers as workbook sheets (title, headers, rows) for portal.xlsx."""
    category_labels = [(c.value, str(c.label)) for c in Household.Category]
    status_labels = dict(PROJECT_STATUSES)
    wishes = data["wishes"]
    return [
        (
            _("网格概况"),
            [
                _("名称"),
                _("层级"),
                _("住户"),
                *[label for _v, label in category_labels],
                _("本月走访"),
                _("逾期未走访"),
                _("待跟进"),
            ],
            [
                (
                    node.name,
                    str(node.get_kind_display()),
                    s.households,
                    *[s.by_category.get(value, 0) for value, _l in category_labels],
                    s.visits_this_month,
                    s.overdue,
                    s.follow_ups_open,
                )
                for node, s in data["rows"]
            ],
        ),
        (
            _("每周走访"),
            [_("周（周一）"), _("走访次数")],
            [(week.isoformat(), n) for week, n in data["visits_by_week"]],
        ),
        (
            _("微心愿"),
            [_("阶段"), _("件数")],
            [
                (pgettext("wish stage", "提交"), wishes["submitted"]),
                (pgettext("wish stage", "发布"), wishes["published"]),
                (pgettext("wish stage", "认领"), wishes["claimed"]),
                (pgettext("wish stage", "完成"), wishes["fulfilled"]),
                (_("居民确认"), wishes["confirmed"]),
                (_("待审核"), wishes["waiting_review"]),
                (_("逾期无人认领"), wishes["overdue"]),
            ],
        ),
        (
            _("志愿服务时长"),
            [_("月份"), _("已核验时长（小时）"), _("服务人次")],
            [(f"{m:%Y-%m}", float(h), r) for m, h, r in data["hours_by_month"]],
        ),
        (
            _("志愿服务之星"),
            [_("街道排名"), _("志愿者"), _("社区"), _("街道"), _("积分")],
            [
                (v["rank"], v["name"], v["place"], v["street"], float(v["points"]))
                for v in data["top_volunteers"]
            ],
        ),
        (
            _("驻区单位积分"),
            [_("街道排名"), _("单位"), _("所在"), _("街道"), _("积分")],
            [(u["rank"], u["name"], u["place"], u["street"], float(u["points"])) for u in data["top_units"]],
        ),
        (
            _("需求清单"),
            [_("状态"), _("项数")],
            [
                (_("待匹配"), data["needs"]["open"]),
                (_("其中热点"), data["needs"]["open_hot"]),
                (_("其中已过期望日期"), data["needs"]["open_overdue"]),
                (_("已匹配"), data["needs"]["matched"]),
                (_("已关闭"), data["needs"]["closed"]),
            ],
        ),
        (
            _("项目清单"),
            [_("状态"), _("项数")],
            [(str(status_labels[status]), n) for status, n in data["projects"]],
        ),
        *tables_as_sheets(case_tables(data)),
    ]


def chart_payload(data):
    """What the page's charts draw, with labels in the current language (for json_script)."""
    wishes = data["wishes"]
    return {
        "rainbow": {
            "places": [name for name, _counts in data["rainbow"]],
            "series": [
                {
                    "name": str(category.label),
                    "color": Household.COLOURS[category],
                    "data": [counts.get(category.value, 0) for _name, counts in data["rainbow"]],
                }
                for category in Household.Category
            ],
        },
        "visits": {
            "label": _("走访次数"),
            "weeks": [f"{week:%m-%d}" for week, _n in data["visits_by_week"]],
            "counts": [n for _week, n in data["visits_by_week"]],
        },
        "funnel": [
            {"name": pgettext("wish stage", "提交"), "value": wishes["submitted"]},
            {"name": pgettext("wish stage", "发布"), "value": wishes["published"]},
            {"name": pgettext("wish stage", "认领"), "value": wishes["claimed"]},
            {"name": pgettext("wish stage", "完成"), "value": wishes["fulfilled"]},
            {"name": _("居民确认"), "value": wishes["confirmed"]},
        ],
        "hours": {
            "label": _("小时"),
            "months": [f"{month:%Y-%m}" for month, _hours, _records in data["hours_by_month"]],
            "hours": [float(hours) for _month, hours, _records in data["hours_by_month"]],
        },
        "needs": [
            {"name": _("待匹配（一般）"), "value": data["needs"]["open"] - data["needs"]["open_hot"]},
            {"name": _("待匹配（热点）"), "value": data["needs"]["open_hot"]},
            {"name": _("已匹配"), "value": data["needs"]["matched"]},
            {"name": _("已关闭"), "value": data["needs"]["closed"]},
        ],
        "projects": [
            {"name": str(label), "value": dict(data["projects"]).get(status, 0)}
            for status, label in PROJECT_STATUSES
        ],
        "cases": _case_chart(data),
    }
