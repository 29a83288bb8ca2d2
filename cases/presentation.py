"""The numbers of grid cases as people read them: tables for the pages and sheets for the workbooks.

Shared by the /cases/stats/ page and the staff dashboard's cases section, so both
show the same columns with the same words. The counts come from
`cases.selectors.stats`; the rates are derived here (`rates`), never stored.
"""

from django.utils.translation import gettext as _

from cases.selectors.stats import rates


def _shown(value):
    return "—" if value is None else value


def case_headers():
    return [
        _("收到"),
        _("办结"),
        _("办结率（%）"),
        _("按时签收率（%）"),
        _("按时办结率（%）"),
        _("满意率（%）"),
        _("平均办结用时（小时）"),
        _("重办"),
        _("超期未办结"),
    ]


def case_cells(counts):
    r = rates(counts)
    return [
        counts["received"],
        counts["finished"],
        _shown(r["finish_rate"]),
        _shown(r["sign_rate"]),
        _shown(r["on_time_rate"]),
        _shown(r["satisfaction"]),
        _shown(r["finish_hours"]),
        counts["reopened"],
        counts["overdue"],
    ]


def responder_headers():
    return [
        _("派遣"),
        _("按时签收"),
        _("按时签收率（%）"),
        _("办结"),
        _("按时办结率（%）"),
        _("退回"),
        _("满意率（%）"),
        _("平均办结用时（小时）"),
    ]


def responder_cells(counts):
    r = rates(counts)
    return [
        counts["dispatched"],
        counts["signed_on_time"],
        _shown(r["sign_rate"]),
        counts["finished"],
        _shown(r["on_time_rate"]),
        counts["returned"],
        _shown(r["satisfaction"]),
        _shown(r["finish_hours"]),
    ]


def kind_label(kind):
    return _("职能部门") if kind == "department" else _("驻区单位")


def case_table(title, first, rows, *, total=None):
    """A table of case counts: `rows` are (name, counts); `total` adds a 合计 row."""
    body = [(name, case_cells(counts)) for name, counts in rows]
    if total is not None:
        body.append((_("合计"), case_cells(total)))
    return {"title": title, "headers": [first, *case_headers()], "rows": body, "total": total is not None}


def responder_table(title, rows):
    """The responders' table: each department and member unit and how it answered (报到)."""
    body = [(f"{r['name']}（{kind_label(r['kind'])}）", responder_cells(r)) for r in rows]
    return {"title": title, "headers": [_("响应单位"), *responder_headers()], "rows": body, "total": False}


def tables_as_sheets(tables):
    """The tables as workbook sheets (title, headers, rows) for portal.xlsx."""
    return [(t["title"][:31], t["headers"], [(name, *cells) for name, cells in t["rows"]]) for t in tables]


def _by_received(rows, name):
    return sorted(((r[name], r) for r in rows), key=lambda pair: (-pair[1]["received"], pair[0]))


def stats_tables(stats):
    """The /cases/stats/ page's tables from `cases.selectors.case_stats`: by category (or, for
    every street, by street and by category name), community and grid, and the responders."""
    groups = stats["groups"]
    tables = []
    if "street" in groups:
        tables.append(
            case_table(
                _("按街道"),
                _("街道"),
                [(r["street__name"], r) for r in groups["street"]],
                total=stats["total"],
            )
        )
    category = groups.get("category") or groups.get("category_name") or []
    tables.append(
        case_table(
            _("按类别"),
            _("类别"),
            _by_received(category, "category__name"),
            total=None if "street" in groups else stats["total"],
        )
    )
    if "community" in groups:
        tables.append(
            case_table(_("按社区"), _("社区"), [(r["community__name"], r) for r in groups["community"]])
        )
    if "grid" in groups:
        tables.append(case_table(_("按网格"), _("网格"), [(r["grid__name"], r) for r in groups["grid"]]))
    tables.append(responder_table(_("响应单位报到"), stats["responders"]))
    return tables
