"""Benchmark of 我的待办 at district scale: the page and the top bar's counts, per role.

    .venv/bin/python bench/todo.py [--rounds 5] [--warm 20] [--rebuild]
    .venv/bin/python bench/todo.py --tiny

Runs on the demo district (bench/district.py: ten streets of seed_demo on
PostgreSQL, Redis as the cache when it answers). For one login of each role —
street staff (`street`), a secretary (`secretary1`), a grid worker
(`gridworker1`), a volunteer (`volunteer1`), a unit liaison (`unit1`) — it times,
in interleaved rounds so that load from elsewhere on the machine falls on all
of them alike:

- counts: `inbox.counts.compute`, the top bar's to-do and unread numbers from
  the database (what a page pays when the cached numbers expired);
- cold: GET /todo/ right after the person's cached to-do and counts were
  dropped (what the first request after their own change pays: every
  section counted and listed from the database);
- warm: GET /todo/ with both in the cache (every other request within
  INBOX_COUNT_CACHE_SECONDS).

Requests go through Django's full stack in process (middleware, session,
view, template), DEBUG off.

The table shows p50 and p95 in milliseconds, the SQL queries of one call, and
the number of to-do items. Target: the counts and the warm page, p95 under
100 ms; the cold page is shown beside them.

`--tiny` builds a world of a few rows in a throwaway SQLite database and runs
one short round: it checks that the benchmark still runs (a test does this in
CI), not how fast anything is.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_MS = 100
LOGINS = [
    ("street staff", "street"),
    ("secretary", "secretary1"),
    ("grid worker", "gridworker1"),
    ("volunteer", "volunteer1"),
    ("unit liaison", "unit1"),
]


def _timed(function):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = function()
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, len(queries.captured_queries), result


def _percentile(values, share):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def measure(users, rounds, warm):
    """{label: row} of timings for each (label, user): counts uncached and the page warm."""
    from django.db import connection
    from django.test import Client

    from inbox import counts
    from inbox.board import todo_for
    from portal.models import User

    # One connection for the whole run, as a busy worker keeps it: a reconnect
    # in the middle would be timed as a slow request (and empty the query log).
    connection.settings_dict["CONN_MAX_AGE"] = None
    clients = {}
    for label, user in users:
        client = Client()
        client.force_login(user)
        clients[label] = client
    samples = {label: {"counts": [], "cold": [], "page": []} for label, _user in users}
    queries = {label: {} for label, _user in users}
    items = {}

    def page(label):
        response = clients[label].get("/todo/")
        assert response.status_code == 200, response.status_code
        return response

    for label, _user in users:  # warm up: imports, templates, connection, the cached counts
        page(label)
        page(label)
    for _round in range(rounds):
        for label, user in users:
            fresh = User.objects.get(pk=user.pk)  # nothing cached on the user object
            elapsed, count, _ = _timed(lambda fresh=fresh: counts.compute(fresh))
            samples[label]["counts"].append(elapsed)
            queries[label]["counts"] = count
            counts.forget([user.pk])
            elapsed, count, _ = _timed(lambda label=label: page(label))
            samples[label]["cold"].append(elapsed)
            queries[label]["cold"] = count
            for _ in range(warm):
                elapsed, count, _ = _timed(lambda label=label: page(label))
                samples[label]["page"].append(elapsed)
                queries[label]["page"] = count
            items[label] = todo_for(fresh).total
    rows = {}
    for label, _user in users:
        s = samples[label]
        rows[label] = {
            "counts_p50": statistics.median(s["counts"]),
            "counts_p95": _percentile(s["counts"], 0.95),
            "cold_p50": statistics.median(s["cold"]),
            "cold_p95": _percentile(s["cold"], 0.95),
            "page_p50": statistics.median(s["page"]),
            "page_p95": _percentile(s["page"], 0.95),
            "sql_counts": queries[label]["counts"],
            "sql_cold": queries[label]["cold"],
            "sql_page": queries[label]["page"],
            "items": items[label],
        }
    return rows


def print_table(users, rows, out=sys.stdout):
    from portal.scoping import scope_node

    header = (
        f"{'user':<13} {'login':<16} {'scope':<11} | {'counts p50':>10} {'p95':>6} | {'cold p50':>8} {'p95':>6} | "
        f"{'warm p50':>8} {'p95':>6} | {'SQL counts':>10} {'cold':>5} {'warm':>5} | {'items':>6}"
    )
    print(header, file=out)
    print("-" * len(header), file=out)
    worst = 0.0
    for label, user in users:
        row = rows[label]
        node = scope_node(user)
        worst = max(worst, row["counts_p95"], row["page_p95"])
        print(
            f"{label:<13} {user.username:<16} {(node.code if node else '-'):<11} | "
            f"{row['counts_p50']:>10.1f} {row['counts_p95']:>6.1f} | {row['cold_p50']:>8.1f} {row['cold_p95']:>6.1f} | "
            f"{row['page_p50']:>8.1f} {row['page_p95']:>6.1f} | "
            f"{row['sql_counts']:>10} {row['sql_cold']:>5} {row['sql_page']:>5} | {row['items']:>6}",
            file=out,
        )
    return worst


def run_tiny(out=sys.stdout):
    """Build the tiny world in the current database and print one short round's table."""
    from bench.tiny import build_tiny

    users = build_tiny()
    rows = measure(users, rounds=1, warm=2)
    print_table(users, rows, out=out)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--warm", type=int, default=20, help="page requests per user and round")
    parser.add_argument("--rebuild", action="store_true", help="seed the district again")
    parser.add_argument("--tiny", action="store_true", help="a tiny throwaway world: does it still run?")
    args = parser.parse_args(argv)
    if args.tiny:
        from bench.tiny import standalone

        standalone(run_tiny)
        return

    from bench.district import clear_bench_cache, load_average, open_district

    where = open_district(rebuild=args.rebuild)
    from django.db import connection

    from portal.models import User

    clear_bench_cache()
    users = [(label, User.objects.get(username=username)) for label, username in LOGINS]
    rows = measure(users, args.rounds, args.warm)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        counted = {}
        for table in (
            "grids_household",
            "grids_visit",
            "wishes_wish",
            "volunteers_signup",
            "inbox_notification",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counted[table] = cursor.fetchone()[0]
    print()
    print(
        f"PostgreSQL {version.split()[0]} ({where['database']}), cache: "
        f"{'Redis ' + where['redis'] if where['redis'] else 'in-process'}; 10 streets, "
        f"{counted['grids_household']:,} households, {counted['grids_visit']:,} visits, "
        f"{counted['wishes_wish']:,} wishes, {counted['volunteers_signup']:,} sign-ups, "
        f"{counted['inbox_notification']:,} notifications"
    )
    print(
        f"{args.rounds} interleaved rounds: per user and round 1 uncached count, 1 cold and {args.warm} warm pages; "
        f"load average {load_average()} (1, 5, 15 min)"
    )
    print()
    worst = print_table(users, rows)
    print()
    print(
        f"target: counts and warm page, every p95 under {TARGET_MS} ms: "
        f"{'yes' if worst < TARGET_MS else 'no'} (worst {worst:.1f} ms)"
    )
    clear_bench_cache()


if __name__ == "__main__":
    main()
