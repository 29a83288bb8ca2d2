"""The report's workbook: one sheet per section, from the stored document."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.text import aside, join_list, labelled
from reports.present import present


def report_sheets(data):
    """The workbook: one sheet per section, as (title, headers, rows) for portal.xlsx."""
    shown = present(data)
    s = shown["summary"]
    chair = shown["chair"]["name"] if shown["chair"] else "—"
    summary_rows = [
        (_("联盟"), shown["alliance"]["name"]),
        (_("月份"), shown["month"]),
        (_("轮值主席单位"), chair),
        (_("成员单位"), s["members"]),
        (_("召开联席会议"), s["meetings_held"]),
        (_("出席率（%）"), s["attendance_rate"] if s["attendance_rate"] is not None else "—"),
        (_("在推进的项目"), s["projects_active"]),
        (_("本月新立项"), s["projects_new"]),
        (_("本月完成项目"), s["projects_completed"]),
        (_("本月项目进展"), s["updates"]),
        (_("本月匹配需求"), s["needs_matched"]),
        (_("本月关闭需求"), s["needs_closed"]),
        (_("月末待匹配需求"), s["needs_open"]),
        (_("其中热点需求"), s["needs_open_hot"]),
        (_("认领微心愿"), s["wishes_claimed"]),
        (_("完成微心愿"), s["wishes_fulfilled"]),
        (_("在职党员"), s["party_members"]),
        (_("党员志愿服务时长（小时）"), float(s["party_hours"])),
        (_("本月提出问题"), s["problems_raised"]),
        (_("本月办结问题"), s["problems_resolved"]),
        (_("月末未办结问题"), s["problems_open"]),
        (_("派给成员单位的网格事件"), s.get("cases_dispatched", "—")),
        (_("成员单位办结的网格事件"), s.get("cases_finished", "—")),
        (_("数据截至"), shown["as_of"]),
    ]
    return [
        (_("概况"), [pgettext("a row of figures", "项目"), _("数值")], summary_rows),
        (
            _("成员单位"),
            [
                _("单位"),
                _("类型"),
                _("所在"),
                _("党组织"),
                _("加入日期"),
                _("退出日期"),
                _("签署公约"),
                _("本月轮值主席"),
            ],
            [
                (
                    m["name"],
                    m["kind_label"],
                    m["place"],
                    m["party_organisation"],
                    m["joined_on"],
                    m["left_on"] or "",
                    m["covenant_signed_on"] or "",
                    _("是") if m["is_chair"] else "",
                )
                for m in shown["members"]
            ],
        ),
        (
            _("联席会议"),
            [
                _("会议"),
                _("时间"),
                _("地点"),
                _("状态"),
                _("主席单位"),
                _("出席"),
                _("请假"),
                _("缺席"),
                _("议程"),
                _("纪要"),
            ],
            [
                (
                    m["title"],
                    m["held_at"],
                    m["place"],
                    m["status_label"],
                    m["chair"],
                    m["present"],
                    m["excused"],
                    m["absent"],
                    m["agenda"],
                    m["minutes"],
                )
                for m in shown["meetings"]
            ],
        ),
        (
            _("出席情况"),
            [_("单位"), _("出席"), _("请假"), _("缺席")],
            [(r["unit"], r["present"], r["excused"], r["absent"]) for r in shown["attendance"]],
        ),
        (
            _("项目晾晒"),
            [
                _("项目"),
                _("牵头单位"),
                _("协办单位"),
                _("社区"),
                _("月初状态"),
                _("月末状态"),
                _("月初进度（%）"),
                _("月末进度（%）"),
                _("本月进展条数"),
                _("预算（元）"),
                _("开始日期"),
                _("计划结束日期"),
            ],
            [
                (
                    p["title"],
                    p["lead_unit"],
                    join_list(p["partners"]),
                    p["community"],
                    p["status_at_start_label"] or _("本月立项"),
                    p["status_label"],
                    p["progress_at_start"] if p["progress_at_start"] is not None else "",
                    p["progress"],
                    len(p["updates"]),
                    float(p["budget"]),
                    p["start_on"] or "",
                    p["end_on"] or "",
                )
                for p in shown["projects"]
            ],
        ),
        (
            _("本月项目动态"),
            [_("项目"), _("牵头单位"), _("时间"), _("内容"), _("进度（%）")],
            _project_events(shown["projects"]),
        ),
        (
            _("需求"),
            [
                _("需求"),
                _("社区"),
                _("所需资源"),
                _("类别"),
                _("提出日期"),
                _("期望完成"),
                _("本月情况"),
                _("时间"),
            ],
            [
                (
                    n["title"],
                    n["community"],
                    n["kind_label"],
                    n["priority_label"],
                    n["raised_on"],
                    n["wanted_by"] or "",
                    label,
                    n["at"] or "",
                )
                for key, label in (
                    ("matched", _("本月匹配")),
                    ("closed", _("本月关闭")),
                    ("open", _("月末待匹配")),
                )
                for n in shown["needs"][key]
            ],
        ),
        (
            _("微心愿"),
            [
                _("单位"),
                _("单位认领"),
                _("单位完成"),
                _("单位获居民确认"),
                _("党员认领"),
                _("党员完成"),
                _("党员获居民确认"),
            ],
            [
                (
                    r["unit"],
                    r["unit_claimed"],
                    r["unit_fulfilled"],
                    r["unit_confirmed"],
                    r["members_claimed"],
                    r["members_fulfilled"],
                    r["members_confirmed"],
                )
                for r in shown["wishes"]
            ],
        ),
        (
            _("党员志愿服务"),
            [_("单位"), _("在职党员"), _("本月参加服务人数"), _("服务人次"), _("已核验时长（小时）")],
            [
                (r["unit"], r["members"], r["serving"], r["records"], float(r["hours"]))
                for r in shown["party_members"]
            ],
        ),
        (
            _("积分排名"),
            [_("单位"), _("本月积分"), _("记录数"), _("街道排名")],
            [(r["unit"], float(r["points"]), r["entries"], r["rank"] or "") for r in shown["points"]["rows"]],
        ),
        (
            _("问题跟进"),
            [
                _("问题"),
                _("会议"),
                _("提出单位"),
                _("责任单位或责任人"),
                _("办结期限"),
                _("月末状态"),
                _("办结时间"),
                _("本月跟进"),
            ],
            [
                (
                    p["description"],
                    aside(p["meeting"], p["meeting_day"]),
                    p["raised_by"],
                    p["owner"],
                    p["due_on"] or "",
                    p["status_label"],
                    p["resolved_at"] or "",
                    pgettext("separator between sentences", "；").join(
                        f"{f['at']} {labelled(f['status_label'], f['note'])}" for f in p["follow_ups"]
                    ),
                )
                for p in shown["problems"]
            ],
        ),
        (
            _("事件报到"),
            [
                _("单位"),
                _("派遣"),
                _("按时签收"),
                _("按时签收率（%）"),
                _("办结"),
                _("按时办结"),
                _("按时办结率（%）"),
                _("退回"),
                _("居民评价"),
                _("满意率（%）"),
            ],
            [
                (
                    r["unit"],
                    r["dispatched"],
                    r["signed_on_time"],
                    _shown(r["sign_rate"]),
                    r["finished"],
                    r["finished_on_time"],
                    _shown(r["on_time_rate"]),
                    r["returned"],
                    r["rated"],
                    _shown(r["satisfaction"]),
                )
                for r in shown["cases"] or []
            ],
        ),
    ]


def _shown(value):
    return "—" if value is None else value


def _project_events(projects):
    rows = [
        (p["title"], p["lead_unit"], e["at"], e["text"], e["progress"] if e["progress"] is not None else "")
        for p in projects
        for e in p["events"]
    ]
    rows.sort(key=lambda r: (r[2], r[0]))
    return rows
