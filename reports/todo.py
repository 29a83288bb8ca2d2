"""Monthly joint-meeting reports in the to-do: last month's, where none was built."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.todo import Item, provider, section
from reports import selectors


@provider(order=80)
def reports_to_build(viewer, rows):
    if not (viewer.street_level and viewer.can("reports.add_monthlyreport")):
        return
    month = viewer.last_month
    label = f"{month:%Y-%m}"
    yield section(
        "reports_missing",
        _("上月联席会议报告未生成"),
        reverse("alliances:index"),
        selectors.alliances_without_report(viewer.user, month),
        rows,
        lambda a: Item(
            label=a.name,
            url=reverse("reports:detail", args=[a.pk, label]),
            detail=label,
        ),
        hint=_("报告通常在每月 1 日自动生成；没有生成的，打开后点“生成”。"),
    )
