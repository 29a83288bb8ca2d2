import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from alliances.models import Alliance
from portal.months import last_month, parse_month
from reports import services
from reports.models import MonthlyReport


class Command(BaseCommand):
    help = (
        "Build the monthly joint-meeting report of every alliance for one month (default: last month), "
        "replacing that month's snapshots; other months stay as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM; default: the month before this one")
        parser.add_argument(
            "--alliance", type=int, action="append", help="only this alliance id (repeatable)"
        )

    def handle(self, *args, month=None, alliance=None, **options):
        started = time.monotonic()
        try:
            first_day = parse_month(month) if month else last_month()
        except ValueError as error:
            raise CommandError(str(error)) from None
        alliances = Alliance.objects.order_by("pk")
        if alliance:
            alliances = alliances.filter(pk__in=alliance)
            missing = set(alliance) - set(alliances.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"no alliance with id {', '.join(map(str, sorted(missing)))}")
        try:
            built = services.reports_build_month(
                month=first_day, via=MonthlyReport.BuiltVia.COMMAND, alliances=alliances
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        replaced = sum(1 for report in built if report.revision > 1)
        self.stdout.write(
            self.style.SUCCESS(
                f"{first_day:%Y-%m}: built {len(built)} reports ({replaced} replaced) "
                f"in {time.monotonic() - started:.2f} s"
            )
        )
