"""Benchmark of building a district's monthly joint-meeting reports.

    .venv/bin/python bench/reports.py [--alliances 100] [--rounds 3] [--month YYYY-MM] [--rebuild]

Runs on the demo district (bench/district.py: ten streets of seed_demo in
portal_reports_bench on PostgreSQL): 10 street alliances of 31 member units
and 120 community committees. It builds one month's report (default: last
month) for --alliances of them (default 100: the ten street alliances and 90
committees) with `reports.services.report_build` — the same call the
command, the Celery task and the page make, each report in its own transaction
— in --rounds rounds, and prints the time per report (median over the rounds,
then p50/p95/max over the reports), the total per round, and the SQL queries
per report, which must not grow with the alliance (no N+1). It also times the
page's other two renderings of one street alliance's report: the workbook and
the PDF.

`--tiny` builds the tiny world's one report (bench/tiny.py) in a throwaway
SQLite database: it checks that the benchmark still runs (tests/bench/ does so
in CI), not how fast anything is.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.district import load_average, percentile


def measure(streets, committees, month, rounds, limit, pdf=True):
    """Build `limit` reports `rounds` times; the timings and counts the table shows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.pdf import render_pdf
    from portal.xlsx import workbook_bytes
    from reports import services
    from reports.models import MonthlyReport
    from reports.present import present
    from reports.workbook import report_sheets

    chosen = (streets + committees)[:limit]
    members = {a.pk: a.memberships.count() for a in chosen}  # for the table: queries against alliance size

    times = {a.pk: [] for a in chosen}
    queries = {}
    totals = []
    for _round in range(rounds):
        started = time.perf_counter()
        for alliance in chosen:
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                services.report_build(alliance=alliance, month=month, via=MonthlyReport.BuiltVia.COMMAND)
                times[alliance.pk].append((time.perf_counter() - began) * 1000)
            queries[alliance.pk] = len(captured.captured_queries)
        totals.append(time.perf_counter() - started)

    per_report = [statistics.median(values) for values in times.values()]
    street_ids = {a.pk for a in streets}
    street_times = [statistics.median(times[pk]) for pk in times if pk in street_ids]
    committee_times = [statistics.median(times[pk]) for pk in times if pk not in street_ids]
    sample = MonthlyReport.objects.get(alliance=streets[0], month=month)
    size = len(str(sample.data).encode())

    started = time.perf_counter()
    workbook = workbook_bytes(report_sheets(sample.data))
    xlsx_ms = (time.perf_counter() - started) * 1000
    pdf_bytes, pdf_ms = b"", 0.0
    if pdf:
        started = time.perf_counter()
        pdf_bytes = render_pdf(
            "reports/pdf.html",
            {"report": sample, "alliance": sample.alliance, "r": present(sample.data)},
        )
        pdf_ms = (time.perf_counter() - started) * 1000

    return {
        "chosen": chosen,
        "street_ids": street_ids,
        "per_report": per_report,
        "street_times": street_times,
        "committee_times": committee_times,
        "totals": totals,
        "queries": queries,
        "members": members,
        "size": size,
        "xlsx_ms": xlsx_ms,
        "workbook": workbook,
        "pdf_ms": pdf_ms,
        "pdf": pdf_bytes,
    }


def print_table(m):
    per_report, street_times, committee_times = m["per_report"], m["street_times"], m["committee_times"]
    totals, queries, members, chosen = m["totals"], m["queries"], m["members"], m["chosen"]
    size, xlsx_ms, workbook, pdf_ms, pdf = m["size"], m["xlsx_ms"], m["workbook"], m["pdf_ms"], m["pdf"]
    print()
    header = f"{'':<34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
    print(header)
    print("-" * len(header))
    for label, values in (
        ("per report, all", per_report),
        ("per report, street alliances", street_times),
        ("per report, community committees", committee_times),
    ):
        if values:
            print(
                f"{label:<34} {statistics.median(values):>8.1f} {percentile(values, 0.95):>8.1f} {max(values):>8.1f}"
            )
    print()
    print(
        f"total per round: {', '.join(f'{t:.2f} s' for t in totals)} "
        f"(median {statistics.median(totals):.2f} s for {len(chosen)} reports)"
    )
    by_size = {}
    for pk, count in queries.items():
        by_size.setdefault(members[pk], []).append(count)
    print("SQL queries per report (build and store, one transaction), by the alliance's size:")
    for size_, counts in sorted(by_size.items()):
        print(f"  {size_:>3} member units: {len(counts):>3} reports, {min(counts)}–{max(counts)} queries")
    print(
        "  (the count does not grow with units, projects or people; a report makes fewer when a "
        "section has nothing to look up)"
    )
    print(
        f"one street alliance's report: {size / 1024:.0f} KB of JSON; workbook {xlsx_ms:.0f} ms "
        f"({len(workbook) / 1024:.0f} KB); PDF {pdf_ms:.0f} ms ({len(pdf) / 1024:.0f} KB, cached per revision)"
    )


def run_tiny(out=sys.stdout):
    """The tiny world's report (no PDF) in the current database; returns the measurements."""
    import contextlib

    from alliances.models import Alliance
    from bench.tiny import build_tiny
    from portal.months import last_month

    build_tiny()
    streets = list(Alliance.objects.filter(grid__kind="street"))
    m = measure(streets, [], last_month(), rounds=1, limit=1, pdf=False)
    with contextlib.redirect_stdout(out):
        print_table(m)
    return m


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--alliances", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--month", help="YYYY-MM; default: last month")
    parser.add_argument("--rebuild", action="store_true", help="seed the district again")
    parser.add_argument("--tiny", action="store_true", help="a tiny throwaway world: does it still run?")
    args = parser.parse_args()
    if args.tiny:
        from bench.tiny import standalone

        standalone(run_tiny)
        return

    from bench.district import open_district

    where = open_district(rebuild=args.rebuild)
    from django.db import connection

    from alliances.models import Alliance
    from portal.months import last_month, parse_month

    month = parse_month(args.month) if args.month else last_month()
    streets = list(
        Alliance.objects.filter(grid__kind="street").select_related("grid").order_by("grid__tree_id")
    )
    committees = list(
        Alliance.objects.filter(grid__kind="community")
        .select_related("grid")
        .order_by("grid__tree_id", "grid__lft")
    )
    m = measure(streets, committees, month, args.rounds, args.alliances)
    chosen, street_ids = m["chosen"], m["street_ids"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print()
    print(
        f"PostgreSQL {version.split()[0]} ({where['database']}); month {month:%Y-%m}; "
        f"{len(chosen)} alliances ({sum(1 for a in chosen if a.pk in street_ids)} street alliances, "
        f"{sum(1 for a in chosen if a.pk not in street_ids)} community committees); "
        f"{args.rounds} rounds; load average {load_average()} (1, 5, 15 min)"
    )
    print_table(m)


if __name__ == "__main__":
    main()
