"""Reads of the stored reports.

Who may read an alliance's reports is who may open the alliance
(`alliances.selectors.get_alliance_for_user_or_404`); these read the stored
snapshots of one alliance.
"""

from reports.models import MonthlyReport


def alliance_reports(alliance):
    """The built reports of an alliance, newest month first, without their documents."""
    return (
        MonthlyReport.objects.filter(alliance=alliance)
        .defer("data")
        .select_related("built_by")
        .order_by("-month")
    )


def monthly_report(alliance, month):
    return (
        MonthlyReport.objects.filter(alliance=alliance, month=month)
        .select_related("built_by", "alliance")
        .first()
    )


def built_after(alliance, month, moment):
    """Whether `alliance`'s report of `month` was built at or after `moment` (the month's end: final)."""
    return MonthlyReport.objects.filter(alliance=alliance, month=month, built_at__gte=moment).exists()
