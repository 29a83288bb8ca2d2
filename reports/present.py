"""The stored report document with labels in the reader's language, for the page and the PDF."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances.models import (
    JointMeeting,
    MeetingAttendance,
    MeetingProblem,
    MemberUnit,
    Need,
    Project,
    ResourceKind,
)
from cases.selectors import rates
from portal.text import labelled

LABELS = {
    "project": dict(Project.Status.choices),
    "need_kind": dict(ResourceKind.choices),
    "need_priority": dict(Need.Priority.choices),
    "meeting": dict(JointMeeting.Status.choices),
    "attendance": dict(MeetingAttendance.Status.choices),
    "problem": dict(MeetingProblem.Status.choices),
    "unit_kind": dict(MemberUnit.Kind.choices),
}
LEVELS = {"street": gettext_lazy("区域党建联盟"), "community": gettext_lazy("区域化党委委员会")}


def _label(kind, code):
    return str(LABELS[kind].get(code, code or "—"))


def present(data):
    """The stored document with display labels added, for the templates (labels follow the language)."""
    data = {**data}
    data["level_label"] = str(LEVELS.get(data["alliance"]["level"], ""))
    data["members"] = [{**m, "kind_label": _label("unit_kind", m["kind"])} for m in data["members"]]
    data["meetings"] = [
        {
            **m,
            "status_label": _label("meeting", m["status"]),
            "attendance": [{**a, "status_label": _label("attendance", a["status"])} for a in m["attendance"]],
        }
        for m in data["meetings"]
    ]
    data["projects"] = [
        {
            **p,
            "status_label": _label("project", p["status"]),
            "status_at_start_label": _label("project", p["status_at_start"]) if p["status_at_start"] else "",
            "changes": [
                {**c, "from_label": _label("project", c["from"]), "to_label": _label("project", c["to"])}
                for c in p["changes"]
            ],
            "events": _project_timeline(p),
        }
        for p in data["projects"]
    ]
    data["needs"] = {
        key: [
            {
                **n,
                "kind_label": _label("need_kind", n["kind"]),
                "priority_label": _label("need_priority", n["priority"]),
                "is_hot": n["priority"] == Need.Priority.HOT,
            }
            for n in rows
        ]
        for key, rows in data["needs"].items()
    }
    titles = {
        "matched": _("本月匹配的需求"),
        "closed": _("本月关闭的需求"),
        "open": _("月末仍待匹配的需求"),
    }
    data["need_groups"] = [{"key": key, "title": titles[key], "rows": data["needs"][key]} for key in titles]
    data["problems"] = [
        {
            **p,
            "status_label": _label("problem", p["status"]),
            "follow_ups": [{**f, "status_label": _label("problem", f["status"])} for f in p["follow_ups"]],
        }
        for p in data["problems"]
    ]
    # A report built before the cases section existed has none (None: not in this snapshot).
    data["cases"] = [{**row, **rates(row)} for row in data["cases"]] if "cases" in data else None
    return data


def _project_timeline(project):
    """Status changes and progress updates of the month in one list, oldest first."""
    events = []
    for c in project["changes"]:
        if c["from"]:
            text = _("状态：%(a)s → %(b)s") % {
                "a": _label("project", c["from"]),
                "b": _label("project", c["to"]),
            }
        else:
            text = _("立项（%(b)s）") % {"b": _label("project", c["to"])}
        events.append(
            {"at": c["at"], "text": labelled(text, c["note"]) if c["note"] else text, "progress": None}
        )
    for u in project["updates"]:
        events.append({"at": u["at"], "text": labelled(u["unit"], u["text"]), "progress": u["progress"]})
    events.sort(key=lambda e: e["at"])
    return events


def report_pdf_bytes(report, request=None):
    """The report's PDF in the active language, from the cache when this revision was laid out before.

    The snapshot never changes under a revision, so neither does its PDF; the
    page's direct download and the background job share the cached copy.
    """
    from django.conf import settings
    from django.core.cache import cache
    from django.utils.translation import get_language

    from portal.pdf import render_pdf

    key = f"reports:pdf:{report.pk}:{report.revision}:{get_language()}"
    data = cache.get(key)
    if data is None:
        data = render_pdf(
            "reports/pdf.html",
            {"report": report, "alliance": report.alliance, "r": present(report.data)},
            request=request,
        )
        cache.set(key, data, settings.REPORT_PDF_CACHE_SECONDS)
    return data


def report_filename(report, suffix):
    return f"{report.alliance.name}-{report.month:%Y-%m}-{_('联席会议月度报告')}.{suffix}"
