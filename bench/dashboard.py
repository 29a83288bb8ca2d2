"""Benchmark of the staff dashboard at district scale: uncached, cold and warm, per role.

    .venv/bin/python bench/dashboard.py [--rounds 5] [--warm 20] [--rebuild]
    .venv/bin/python bench/dashboard.py --tiny

Runs on the demo district (bench/district.py: ten streets of seed_demo, in
portal_reports_bench on PostgreSQL, Redis as the cache when it answers). For
three users — street staff of one street (`street`), a community secretary
(`secretary1`) and a superuser (every street) — it times, in interleaved rounds
so that load from elsewhere on the machine falls on all of them alike:

- uncached: `dashboard.numbers.compute_dashboard` alone, the numbers computed
  from the database with no cache involved;
- cold: GET /dashboard/ right after the street's cache generation moved on
  (what the first request after a saved visit or wish pays; for the superuser,
  the first street's: that street's part is computed again, the other nine
  come from the cache);
- warm: GET /dashboard/ with the numbers in the cache (every other request).

Requests go through Django's full stack in process (middleware, session, view,
template), DEBUG off; the network is left out. The table shows p50 and p95 in
milliseconds and the SQL queries of one request. Target: under 300 ms.

`--tiny` runs one short round on the tiny world (bench/tiny.py) in a throwaway
SQLite database: it checks that the benchmark still runs (tests/bench/ does
so in CI), not how fast anything is.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.district import load_average, percentile

TARGET_MS = 300


def _users():
    from portal.models import User

    root, _created = User.objects.get_or_create(
        username="bench_root", defaults={"is_superuser": True, "is_staff": True, "full_name": "基准超级用户"}
    )
    return [
        ("street staff", User.objects.get(username="street")),
        ("secretary", User.objects.get(username="secretary1")),
        ("superuser", root),
    ]


def _timed(function):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = function()
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, len(queries.captured_queries), result


def measure(users, rounds, warm):
    """(samples, queries, nodes) of each (label, user): uncached, cold and warm."""
    from django.test import Client

    from dashboard import cache as dashboard_cache
    from dashboard import numbers as dashboard
    from grids.models import Grid
    from portal.scoping import scope_node

    clients, nodes, trees = {}, {}, {}
    for label, user in users:
        client = Client()
        client.force_login(user)
        clients[label] = client
        nodes[label] = scope_node(user)
        trees[label] = nodes[label].tree_id if nodes[label] else "all"
    samples = {label: {"uncached": [], "cold": [], "warm": []} for label, _user in users}
    queries = {label: {} for label, _user in users}

    def get(label):
        response = clients[label].get("/dashboard/")
        assert response.status_code == 200, response.status_code
        return response

    for label, _user in users:  # warm up: imports, template loading, connection
        get(label)
        get(label)
    for _round in range(rounds):
        for label, _user in users:
            elapsed, count, _ = _timed(lambda label=label: dashboard.compute_dashboard(nodes[label]))
            samples[label]["uncached"].append(elapsed)
            queries[label]["uncached"] = count
            if trees[label] == "all":
                dashboard_cache.invalidate_tree(Grid.objects.values_list("tree_id", flat=True).first())
            else:
                dashboard_cache.invalidate_tree(trees[label])
            elapsed, count, _ = _timed(lambda label=label: get(label))
            samples[label]["cold"].append(elapsed)
            queries[label]["cold"] = count
            for _ in range(warm):
                elapsed, count, _ = _timed(lambda label=label: get(label))
                samples[label]["warm"].append(elapsed)
                queries[label]["warm"] = count

    return samples, queries, nodes


def print_table(users, samples, queries, nodes, out=sys.stdout):
    """Print the table; returns the worst p95 (cold and warm)."""
    header = (
        f"{'user':<14} {'scope':<12} | {'uncached p50':>12} {'p95':>7} | {'cold p50':>9} {'p95':>7} | "
        f"{'warm p50':>9} {'p95':>7} | {'SQL cold':>8} {'warm':>5}"
    )
    print(header, file=out)
    print("-" * len(header), file=out)
    worst = 0.0
    for label, _user in users:
        s = samples[label]
        scope = nodes[label].code if nodes[label] else "all streets"
        row = [
            statistics.median(s["uncached"]),
            percentile(s["uncached"], 0.95),
            statistics.median(s["cold"]),
            percentile(s["cold"], 0.95),
            statistics.median(s["warm"]),
            percentile(s["warm"], 0.95),
        ]
        worst = max(worst, row[3], row[5])
        print(
            f"{label:<14} {scope:<12} | {row[0]:>12.1f} {row[1]:>7.1f} | {row[2]:>9.1f} {row[3]:>7.1f} | "
            f"{row[4]:>9.1f} {row[5]:>7.1f} | {queries[label]['cold']:>8} {queries[label]['warm']:>5}",
            file=out,
        )
    return worst


def run_tiny(out=sys.stdout):
    """One short round on the tiny world in the current database; returns the rows' labels."""
    from bench.tiny import build_tiny, superuser

    world = dict(build_tiny())
    users = [
        ("street staff", world["street staff"]),
        ("secretary", world["secretary"]),
        ("superuser", superuser()),
    ]
    samples, queries, nodes = measure(users, rounds=1, warm=2)
    print_table(users, samples, queries, nodes, out=out)
    return [label for label, _user in users]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--warm", type=int, default=20, help="warm requests per user and round")
    parser.add_argument("--rebuild", action="store_true", help="seed the district again")
    parser.add_argument("--tiny", action="store_true", help="a tiny throwaway world: does it still run?")
    args = parser.parse_args()
    if args.tiny:
        from bench.tiny import standalone

        standalone(run_tiny)
        return

    from bench.district import clear_bench_cache, open_district

    where = open_district(rebuild=args.rebuild)
    from django.db import connection

    clear_bench_cache()
    users = _users()
    samples, queries, nodes = measure(users, args.rounds, args.warm)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM grids_household")
        households = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM grids_visit")
        visits = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM wishes_wish")
        wishes = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM volunteers_servicerecord")
        records = cursor.fetchone()[0]
    print()
    print(
        f"PostgreSQL {version.split()[0]} ({where['database']}), cache: "
        f"{'Redis ' + where['redis'] if where['redis'] else 'in-process'}; 10 streets, {households:,} households, "
        f"{visits:,} visits, {wishes:,} wishes, {records:,} service records"
    )
    print(
        f"{args.rounds} interleaved rounds: per user and round 1 uncached, 1 cold, {args.warm} warm; "
        f"load average {load_average()} (1, 5, 15 min)"
    )
    print()
    worst = print_table(users, samples, queries, nodes)
    print()
    verdict = "yes" if worst < TARGET_MS else "no"
    print(f"target: every p95 (cold and warm) under {TARGET_MS} ms: {verdict} (worst {worst:.1f} ms)")
    clear_bench_cache()


if __name__ == "__main__":
    main()
