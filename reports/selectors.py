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


def alliances_without_report(user, month):
    """Alliances in the user's staff scope, founded by `month`'s end, with no report built for `month`."""
    from django.db.models import Exists, OuterRef, Q

    from alliances.models import Alliance
    from portal.months import month_end
    from portal.scoping import scope_queryset

    built = MonthlyReport.objects.filter(alliance=OuterRef("pk"), month=month)
    return (
        scope_queryset(Alliance.objects.select_related("grid"), user)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=month_end(month)))
        .exclude(Exists(built))
        .order_by("grid__tree_id", "grid__lft", "pk")
    )
