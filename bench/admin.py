"""Every admin changelist of the portal at district scale, for street staff, a secretary and a superuser.

    .venv/bin/python bench/admin.py [--requests 10] [--only grids.visit,…] [--rebuild]
    .venv/bin/python bench/admin.py --wall     # the 1.6M-household database of bench/wall.py
    .venv/bin/python bench/admin.py --tiny

Runs on the demo district (bench/district.py: ten streets of seed_demo on
PostgreSQL, 160,000 households), or with --wall on the database bench/wall.py
fills (100 streets, 1.6 million households, 500,000 wishes; run wall.py first).
For each list registered in the admin and each of three users — street staff
of one street (`street`), a community secretary (`secretary1`) and a superuser
— it requests, through Django's whole stack in process with DEBUG off:

- page 1 of the list;
- a late page (page 50, or the last one when there are fewer);
- a search (`?q=张`), where the list has a search box;
- each filter, with the first value it offers (a date range: the last 30 days).

Each case is requested once to warm up, then --requests times; the table shows
p50 and p95 in milliseconds, the SQL queries of one request and pass/fail
against the target: p95 under 300 ms. A list the user may not open shows as
403 and is not counted.

`--tiny` runs every case once on the tiny world (bench/tiny.py) in a throwaway
SQLite database: it checks that the benchmark still runs (tests/bench/ does so
in CI), not how fast anything is.
"""

import argparse
import datetime
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.district import load_average, percentile

TARGET_MS = 300
LATE_PAGE = 50
SEARCH = "张"
WALL_DB = "postgres://postgres@127.0.0.1:5432/portal_wishes_bench"


def changelists(only=None):
    """[(label, url, model_admin)] of every list in the admin, in app order."""
    from django.contrib import admin

    found = []
    for model, model_admin in admin.site._registry.items():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        if only and label not in only:
            continue
        found.append((label, f"/admin/{model._meta.app_label}/{model._meta.model_name}/", model_admin))
    return sorted(found, key=lambda item: item[0])


def _changelist(model_admin, url, user):
    """The list's ChangeList as its page 1 builds it (for its pages and filters), outside the timing."""
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.base import SessionBase
    from django.test import RequestFactory

    request = RequestFactory().get(url)
    request.user = user
    request.session = SessionBase()
    request._messages = FallbackStorage(request)
    return model_admin.get_changelist_instance(request), request


def _filter_cases(changelist):
    """(name, query) for each filter of a list page: its first value other than the one shown."""
    from django.contrib.admin.filters import FieldListFilter

    from portal.admin import DateRangeFilter

    cases = []
    for spec in changelist.filter_specs:
        name = str(getattr(spec, "parameter_name", None) or getattr(spec, "field_path", spec.title))
        if isinstance(spec, DateRangeFilter):
            since = (datetime.date.today() - datetime.timedelta(days=30)).isoformat()
            cases.append((f"filter {spec.field_path}", f"?{spec.since_param}={since}"))
            continue
        if isinstance(spec, FieldListFilter):
            name = spec.field_path
        for choice in spec.choices(changelist):
            query = choice.get("query_string")
            if query and not choice.get("selected") and query != "?":
                cases.append((f"filter {name}", query))
                break
    return cases


def _timed(client, url):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    # The connection's query log keeps its last 9,000 queries: once full, a
    # capture would count nothing. Emptied before every request, it never fills.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, len(queries.captured_queries), response


def measure(users, lists, requests, progress=False, tiny=False):
    """[row] for every list, user and case: label, who, case, p50, p95, queries, status.

    `tiny`: no warm-up, and every case for the last user (the superuser), page 1 for the others.
    """
    from django.db import connection
    from django.test import Client

    connection.settings_dict["CONN_MAX_AGE"] = None  # one connection for the run, as a busy worker keeps it
    rows = []
    for label, url, model_admin in lists:
        for who, user in users:
            client = Client()
            client.force_login(user)
            _elapsed, _count, first = _timed(client, url)
            if first.status_code != 200:
                rows.append((label, who, "page 1", None, None, None, first.status_code))
                continue
            cases = [("page 1", "")]
            if tiny and who != users[-1][0]:
                rows.append((label, who, "page 1", _elapsed, _elapsed, _count, 200))
                continue
            changelist, request = _changelist(model_admin, url, user)
            pages = changelist.paginator.num_pages
            if pages > 1:
                cases.append((f"page {min(LATE_PAGE, pages)}", f"?p={min(LATE_PAGE, pages)}"))
            if model_admin.get_search_fields(request):
                cases.append((f"search {SEARCH}", f"?q={SEARCH}"))
            cases += _filter_cases(changelist)
            for case, query in cases:
                if not tiny:
                    _timed(client, url + query)  # warm up
                samples, count, status = [], 0, 200
                for _ in range(requests):
                    elapsed, count, response = _timed(client, url + query)
                    samples.append(elapsed)
                    status = response.status_code
                rows.append(
                    (label, who, case, statistics.median(samples), percentile(samples, 0.95), count, status)
                )
            if progress:
                print(f"  {label} {who}: {len(cases)} cases", file=sys.stderr, flush=True)
    return rows


def print_table(rows, out=sys.stdout):
    """The table; returns (cases measured, cases over the target)."""
    header = f"{'list':<28} {'who':<10} {'case':<28} {'p50 ms':>7} {'p95 ms':>7} {'SQL':>4}  result"
    print(header, file=out)
    print("-" * len(header), file=out)
    measured, failed = 0, []
    for label, who, case, p50, p95, queries, status in rows:
        if p95 is None:
            print(f"{label:<28} {who:<10} {'—':<28} {'':>7} {'':>7} {'':>4}  {status} (not theirs)", file=out)
            continue
        measured += 1
        ok = status == 200 and p95 < TARGET_MS
        if not ok:
            failed.append((label, who, case))
        verdict = "pass" if ok else ("FAIL" if status == 200 else f"FAIL {status}")
        print(
            f"{label:<28} {who:<10} {case[:28]:<28} {p50:>7.1f} {p95:>7.1f} {queries:>4}  {verdict}",
            file=out,
        )
    return measured, failed


def _users():
    """The three users: the demo's street staff and secretary, or ones made for the wall database."""
    from bench.tiny import superuser
    from grids.models import Grid
    from portal.models import User
    from portal.roles import Role
    from portal.services import user_grant_role

    street = User.objects.filter(username="street").first()
    secretary = User.objects.filter(username="secretary1").first()
    if street is None or secretary is None:  # the wall database has no demo logins
        first_street = Grid.objects.filter(kind="street").order_by("code").first()
        community = Grid.objects.filter(parent=first_street).order_by("code").first()
        street, created = User.objects.get_or_create(
            username="bench_street", defaults={"full_name": "基准街道"}
        )
        if created:
            user_grant_role(user=street, role=Role.STREET_STAFF, scope=first_street)
        secretary, created = User.objects.get_or_create(
            username="bench_secretary", defaults={"full_name": "基准书记"}
        )
        if created:
            user_grant_role(user=secretary, role=Role.COMMUNITY_SECRETARY, scope=community)
    return [("street", street), ("secretary", secretary), ("superuser", superuser())]


def run_tiny(out=sys.stdout):
    """Every list and case once on the tiny world in the current database; returns the rows."""
    from bench.tiny import build_tiny, superuser

    world = dict(build_tiny())
    users = [("street", world["street staff"]), ("secretary", world["secretary"]), ("superuser", superuser())]
    rows = measure(users, changelists(), requests=1, tiny=True)
    print_table(rows, out=out)
    return rows


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=10, help="timed requests per case")
    parser.add_argument("--only", help="comma-separated lists, e.g. grids.visit,grids.household")
    parser.add_argument("--wall", action="store_true", help="the 1.6M-household database of bench/wall.py")
    parser.add_argument("--rebuild", action="store_true", help="seed the district again")
    parser.add_argument("--tiny", action="store_true", help="a tiny throwaway world: does it still run?")
    args = parser.parse_args()
    if args.tiny:
        from bench.tiny import standalone

        standalone(run_tiny)
        return

    import os

    from bench.district import clear_bench_cache, open_district

    if args.wall:
        os.environ["BENCH_DATABASE_URL"] = os.environ.get("BENCH_WALL_DATABASE_URL", WALL_DB)
    where = open_district(rebuild=args.rebuild, seed=not args.wall)
    from django.db import connection

    clear_bench_cache()
    only = set(args.only.split(",")) if args.only else None
    started = time.monotonic()
    load_before = load_average()
    rows = measure(_users(), changelists(only), args.requests, progress=True)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM grids_household")
        households = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM grids_grid WHERE kind = 'street'")
        streets = cursor.fetchone()[0]
    print()
    print(
        f"{datetime.date.today().isoformat()}: PostgreSQL {version.split()[0]} ({where['database']}), "
        f"{streets} streets, {households:,} households; in process, DEBUG off, cache: "
        f"{'Redis' if where['redis'] else 'in-process'}; {args.requests} requests per case after one warm-up; "
        f"{os.cpu_count()} CPU cores, load average {load_before} before and {load_average()} after "
        f"({time.monotonic() - started:.0f} s)"
    )
    print()
    measured, failed = print_table(rows)
    print()
    print(
        f"target: every p95 under {TARGET_MS} ms: {'yes' if not failed else 'NO'} "
        f"({measured - len(failed)} of {measured} cases pass)"
    )
    for label, who, case in failed:
        print(f"  over: {label} {who} {case}")
    clear_bench_cache()


if __name__ == "__main__":
    main()
