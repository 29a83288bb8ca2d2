import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from points import services
from portal.months import parse_month


class Command(BaseCommand):
    help = (
        "Roll the points ledger up into monthly, quarterly and yearly totals, from which the street ranks are read. "
        "Without options: what the nightly job does (open months whose ledger changed). "
        "--period YYYY-MM recomputes that month, closed or not; --year YYYY the whole year."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", help="one month, YYYY-MM")
        parser.add_argument("--year", type=int, help="every month of a year, e.g. 2026")
        parser.add_argument("--close", action="store_true", help="also close the month(s), as at month end")

    def handle(self, *args, period=None, year=None, close=False, **options):
        started = time.monotonic()
        if period and year:
            raise CommandError("give --period or --year, not both")
        if period:
            try:
                month = parse_month(period)
            except ValueError as error:
                raise CommandError(str(error)) from None
            results = [services.points_rollup(months=[month], close=close)]
        elif year:
            if not 2000 <= year <= 2100:
                raise CommandError("--year must be between 2000 and 2100")
            months = [datetime.date(year, m, 1) for m in range(1, 13)]
            results = [services.points_rollup(months=months, close=close)]
        else:
            results = services.points_rollup_due()
        for result in results:
            self.stdout.write(str(result))
        if not results:
            self.stdout.write("nothing changed since the last rollup")
        self.stdout.write(self.style.SUCCESS(f"rollup done in {time.monotonic() - started:.2f} s"))
