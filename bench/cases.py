"""Benchmark of grid cases at district scale: the queues, the overdue job and the statistics.

    .venv/bin/python bench/cases.py [--rounds 20] [--rebuild]
    .venv/bin/python bench/cases.py --tiny

Builds (once) a PostgreSQL database of its own, `portal_cases_bench` (or
BENCH_CASES_DATABASE_URL; its name must contain "_bench"): ten streets of 12
communities and 36 grids, each with the six categories, twelve departments and
three member units, and 50,000 cases a year per street — 500,000 cases — with
their dispatches (about 30 %), written with bulk inserts. Most are closed; the
last month's are in every state; whatever is past its limit is already marked,
as the beat job leaves it. There is no event log (nothing timed here reads it).

Then, in interleaved rounds, for street S01's staff and one department's liaison,
through Django's full stack in process (DEBUG off):

- the staff queue GET /cases/ (page 1, page 20, and only the overdue ones) and a
  responder's list (their live dispatches, and all of them): p50/p95 and the SQL
  queries of one request, which must not grow with the page;
- the overdue beat job (`cases_check_overdue`) with nothing due, and with 20
  cases and 20 dispatches just past their limits (a five-minute batch);
- the statistics of one street and month: `case_stats` and GET /cases/stats/.

Targets: the lists and the statistics p95 under 300 ms, the job under 2 s per run.

`--tiny` builds one small street in a throwaway SQLite database and runs one short
round: it checks that the benchmark still runs (a test does this), not how fast.
"""

import argparse
import datetime
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/portal_cases_bench"
STREETS = 10
CASES_PER_STREET = 50_000
LIST_TARGET_MS = 300
JOB_TARGET_MS = 2_000
DUE_PER_RUN = 20
CATEGORIES = ("环境卫生", "市政设施", "治安隐患", "矛盾纠纷", "物业管理", "民生服务")
DEPARTMENTS = (
    "住建",
    "城管",
    "派出所",
    "市场监管",
    "供电",
    "通讯",
    "水务",
    "燃气",
    "环卫",
    "园林",
    "交通",
    "卫健",
)


# --- the world -----------------------------------------------------------------------------------


def build_world(streets=STREETS, cases_per_street=CASES_PER_STREET, communities=12, grids=3, out=sys.stdout):
    """The streets, their logins and catalogue, and the cases with bulk inserts. Returns the bench logins."""
    from django.contrib.auth.models import Group

    from alliances.models import MemberUnit
    from cases.models import Category, Department
    from grids import services as grid_services
    from portal.models import User
    from portal.roles import Role, sync_roles
    from portal.services import user_grant_role

    sync_roles()
    Group.objects.get_or_create(name=Role.STREET_STAFF.value)
    for s in range(1, streets + 1):
        started = time.monotonic()
        street = grid_services.grid_create(name=f"街道{s:02d}", code=f"B{s:02d}", kind="street")
        nodes = []
        for c in range(1, communities + 1):
            community = grid_services.grid_create(
                name=f"街道{s:02d}社区{c:02d}", code=f"B{s:02d}-C{c:02d}", kind="community", parent=street
            )
            for g in range(1, grids + 1):
                grid = grid_services.grid_create(
                    name=f"{community.name}网格{g}",
                    code=f"B{s:02d}-C{c:02d}-G{g}",
                    kind="grid",
                    parent=community,
                )
                nodes.append((community.pk, grid.pk))
        street.refresh_from_db()
        staff = User.objects.create_user(username=f"bench_street{s}", password="bench-only-password")
        user_grant_role(user=staff, role=Role.STREET_STAFF, scope=street)
        categories = Category.objects.bulk_create(
            [Category(street=street, name=name, sign_hours=4, finish_hours=40) for name in CATEGORIES]
        )
        departments = Department.objects.bulk_create(
            [Department(street=street, name=name) for name in DEPARTMENTS]
        )
        liaison = User.objects.create_user(username=f"bench_dept{s}", password="bench-only-password")
        departments[0].liaisons.add(liaison)
        units = MemberUnit.objects.bulk_create(
            [MemberUnit(name=f"街道{s:02d}驻区单位{n}", kind="enterprise", grid=street) for n in range(3)]
        )
        count = _cases(random.Random(s), street, nodes, categories, departments, units, cases_per_street)
        print(f"street {s:2d}: {count:,} cases in {time.monotonic() - started:.0f} s", file=out, flush=True)
    return logins()


def logins():
    from portal.models import User

    return {
        "staff": User.objects.get(username="bench_street1"),
        "responder": User.objects.get(username="bench_dept1"),
    }


def _cases(rng, street, nodes, categories, departments, units, count):
    """One street's year of cases and their dispatches, in batches of bulk inserts."""
    from django.utils import timezone

    from cases.models import Case, Dispatch

    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    batch = 5_000
    for first in range(0, count, batch):
        cases, plans = [], []
        for n in range(first, min(first + batch, count)):
            community_id, grid_id = nodes[n % len(nodes)]
            reported = now - datetime.timedelta(seconds=rng.randrange(365 * 86400))
            state, dispatched = _state(rng, now - reported)
            case = Case(
                code=f"B{street.code[1:]}{n:09d}",
                grid_id=grid_id,
                community_id=community_id,
                street_id=street.pk,
                category=categories[n % len(categories)],
                source="resident" if n % 2 else "grid_worker",
                description="楼道堆放杂物需要清理",
                reported_at=reported,
                state=state,
                level="street" if dispatched else "grid",
                sign_due_at=reported + 12 * hour,
            )
            if state not in ("reported", "declined", "to_wish", "merged"):
                case.accepted_at = reported + rng.uniform(0.2, 16) * hour
                case.finish_due_at = case.accepted_at + 120 * hour
            if state in ("done", "verified", "closed"):
                case.done_at = case.accepted_at + rng.uniform(2, 150) * hour
            if state in ("verified", "closed"):
                case.verified_at = case.done_at + 20 * hour
            if state == "closed":
                case.closed_at = case.verified_at + 10 * hour
                case.rating = rng.choices((5, 4, 3, 2, 1), (60, 25, 9, 4, 2))[0] if n % 2 else None
            if state in ("declined", "to_wish", "merged"):
                case.closed_at = reported + 2 * hour
            if case.accepted_at and case.accepted_at > case.sign_due_at:
                case.sign_overdue_at = case.sign_due_at
            if state == "reported" and case.sign_due_at < now:
                case.sign_overdue_at = case.sign_due_at
            if state in ("handling", "dispatched") and case.finish_due_at < now:
                case.finish_overdue_at = case.finish_due_at
            if case.done_at and case.done_at > case.finish_due_at:
                case.finish_overdue_at = case.finish_due_at
            case.reopened_count = 1 if rng.random() < 0.02 and state == "closed" else 0
            cases.append(case)
            plans.append(dispatched)
        Case.objects.bulk_create(cases, batch_size=batch)
        dispatches = []
        for case, dispatched in zip(cases, plans, strict=True):
            if not dispatched:
                continue
            unit = rng.random() < 0.25
            at = case.accepted_at
            dispatch = Dispatch(
                case_id=case.pk,
                street_id=case.street_id,
                department=None if unit else departments[rng.randrange(len(departments))],
                unit=units[rng.randrange(len(units))] if unit else None,
                dispatched_at=at,
                sign_due_at=at + 12 * hour,
                state="done" if case.done_at else rng.choice(("dispatched", "signed", "arrived")),
            )
            if dispatch.state != "dispatched":
                dispatch.signed_at = at + rng.uniform(0.2, 16) * hour
                dispatch.finish_due_at = dispatch.signed_at + 120 * hour
                if dispatch.signed_at > dispatch.sign_due_at:
                    dispatch.sign_overdue_at = dispatch.sign_due_at
            elif dispatch.sign_due_at < now:
                dispatch.sign_overdue_at = dispatch.sign_due_at
            if dispatch.state == "done":
                dispatch.done_at = case.done_at
                if dispatch.done_at > dispatch.finish_due_at:
                    dispatch.finish_overdue_at = dispatch.finish_due_at
            elif dispatch.state in ("signed", "arrived") and dispatch.finish_due_at < now:
                dispatch.finish_overdue_at = dispatch.finish_due_at
            dispatches.append(dispatch)
        Dispatch.objects.bulk_create(dispatches, batch_size=batch)
    return count


def _state(rng, age):
    """(state, dispatched) of a case of that age: the last month in every state, older ones mostly closed."""
    r = rng.random()
    dispatched = rng.random() < 0.3
    if age > datetime.timedelta(days=30):
        for state, share in (("closed", 0.88), ("verified", 0.03), ("declined", 0.04), ("to_wish", 0.01)):
            if r < share:
                return state, dispatched and state in ("closed", "verified")
            r -= share
        return "merged", False
    for state, share in (
        ("reported", 0.1),
        ("handling", 0.12),
        ("dispatched", 0.13),
        ("done", 0.1),
        ("verified", 0.1),
    ):
        if r < share:
            if state == "dispatched":
                return state, True
            return state, dispatched and state in ("done", "verified")
        r -= share
    return "closed", dispatched


# --- measuring -----------------------------------------------------------------------------------


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


def settle(now):
    """Mark what passed its limit since the build, as the beat job (every five minutes) would have:
    the runs timed here then see only what each round makes due."""
    from django.db.models import F

    from cases.models import Case, Dispatch

    Case.objects.filter(state="reported", sign_overdue_at=None, sign_due_at__lt=now).update(
        sign_overdue_at=F("sign_due_at")
    )
    Case.objects.filter(
        state__in=["handling", "dispatched"], finish_overdue_at=None, finish_due_at__lt=now
    ).update(finish_overdue_at=F("finish_due_at"))
    Dispatch.objects.filter(state="dispatched", sign_overdue_at=None, sign_due_at__lt=now).update(
        sign_overdue_at=F("sign_due_at")
    )
    Dispatch.objects.filter(
        state__in=["signed", "arrived"], finish_overdue_at=None, finish_due_at__lt=now
    ).update(finish_overdue_at=F("finish_due_at"))


def _make_due(now, count):
    """`count` open cases and live dispatches of the district whose limit passed a minute ago, unmarked."""
    from cases.models import Case, Dispatch

    minute = datetime.timedelta(minutes=1)
    cases = list(Case.objects.filter(state="reported").order_by("?").values_list("pk", flat=True)[:count])
    Case.objects.filter(pk__in=cases).update(sign_due_at=now - minute, sign_overdue_at=None, level="grid")
    dispatches = list(
        Dispatch.objects.filter(state="dispatched").order_by("?").values_list("pk", flat=True)[:count]
    )
    Dispatch.objects.filter(pk__in=dispatches).update(sign_due_at=now - minute, sign_overdue_at=None)
    return len(cases), len(dispatches)


def measure(users, rounds, due=DUE_PER_RUN):
    """{name: row}: p50, p95 (ms), SQL queries of one call and what it returned, for each measured thing."""
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from cases.selectors import case_stats
    from cases.services import cases_check_overdue
    from portal.months import add_months, month_bounds, this_month
    from portal.scoping import Subtree, scope_node

    connection.settings_dict["CONN_MAX_AGE"] = None
    staff, responder = Client(), Client()
    staff.force_login(users["staff"])
    responder.force_login(users["responder"])
    month = add_months(this_month(), -1)
    street = Subtree.of(scope_node(users["staff"]))

    def get(client, url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return call

    checks = {
        "queue, page 1": get(staff, "/cases/"),
        "queue, page 20": get(staff, "/cases/?page=20"),
        "queue, overdue only": get(staff, "/cases/?overdue=1"),
        "responder, live": get(responder, "/cases/"),
        "responder, all": get(responder, "/cases/?all=1"),
        "stats, one street-month": lambda: case_stats(street, *month_bounds(month)),
        "stats page": get(staff, f"/cases/stats/?month={month:%Y-%m}"),
        "overdue job, nothing due": lambda: cases_check_overdue(),
    }
    due_name = f"overdue job, {due}+{due} due"
    samples = {name: [] for name in [*checks, due_name]}
    queries, results = {}, {}
    settle(timezone.now())
    for call in checks.values():  # warm up: imports, templates, the connection
        call()
    for _round in range(rounds):
        for name, call in checks.items():
            elapsed, count, result = _timed(call)
            samples[name].append(elapsed)
            queries[name] = count
            results[name] = result
        made = _make_due(timezone.now(), due)
        elapsed, count, result = _timed(lambda: cases_check_overdue())
        samples[due_name].append(elapsed)
        queries[due_name] = count
        results[due_name] = (made, result)
    rows = {}
    for name, values in samples.items():
        target = JOB_TARGET_MS if name.startswith("overdue job") else LIST_TARGET_MS
        p95 = _percentile(values, 0.95)
        rows[name] = {
            "p50": statistics.median(values),
            "p95": p95,
            "sql": queries[name],
            "target": target,
            "ok": p95 < target,
            "note": _note(name, results[name]),
        }
    return rows


def _note(name, result):
    if name.startswith("overdue job"):
        if isinstance(result, tuple):
            (cases, dispatches), done = result
            return f"made due {cases}+{dispatches}; marked {done['cases']}+{done['dispatches']}"
        return f"marked {result['cases']}+{result['dispatches']}"
    if name.startswith("stats, "):
        return f"{result['total']['received']} cases, {len(result['responders'])} responders"
    return ""


def print_table(rows, out=sys.stdout):
    header = f"{'measure':<26} | {'p50 ms':>8} {'p95 ms':>8} | {'SQL':>4} | {'target':>8} | {'':<4} | note"
    print(header, file=out)
    print("-" * (len(header) + 20), file=out)
    for name, row in rows.items():
        print(
            f"{name:<26} | {row['p50']:>8.1f} {row['p95']:>8.1f} | {row['sql']:>4} | "
            f"{'< ' + str(row['target']):>8} | {'pass' if row['ok'] else 'FAIL':<4} | {row['note']}",
            file=out,
        )
    return all(row["ok"] for row in rows.values())


# --- the tiny world ------------------------------------------------------------------------------


def run_tiny(out=sys.stdout):
    """One small street in the current database and one short round (does it still run?)."""
    users = build_world(streets=1, cases_per_street=600, communities=2, grids=2, out=out)
    rows = measure(users, rounds=1, due=2)
    print_table(rows, out=out)
    return rows


def _tiny_standalone():
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ["DATABASE_URL"] = "sqlite:///:memory:"
    os.environ.pop("REDIS_URL", None)
    os.environ["PORTAL_IGNORE_DOTENV"] = "1"
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    run_tiny()


def open_database(rebuild=False):
    """Django on the benchmark's own PostgreSQL database, built first if it is empty."""
    import os
    import subprocess

    from bench.district import (
        DEFAULT_REDIS,
        ROOT,
        _admin_sql,
        _admin_sql_count,
        _analyze,
        _env,
        _redis_answers,
    )

    database_url = os.environ.get("BENCH_CASES_DATABASE_URL", DEFAULT_DB)
    name = database_url.rsplit("/", 1)[1]
    if "_bench" not in name:
        sys.exit(f"refusing to use {name}: the benchmarks only run on a *_bench* database")
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    if not _redis_answers(redis_url):
        redis_url = None
    if rebuild:
        _admin_sql(database_url, f'DROP DATABASE IF EXISTS "{name}"')
    if not _admin_sql(database_url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        _admin_sql(database_url, f'CREATE DATABASE "{name}"')
    env = _env(database_url, redis_url)
    os.environ.update(env)
    if redis_url is None:
        os.environ.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    built = _admin_sql_count(database_url, "SELECT count(*) FROM cases_case")
    import django

    django.setup()
    if built < STREETS * CASES_PER_STREET:
        if built:
            sys.exit(f"{name} holds {built:,} cases, not a full district: run with --rebuild")
        started = time.monotonic()
        build_world()
        print(f"built in {time.monotonic() - started:.0f} s", flush=True)
    _analyze(database_url)
    return {"database": name, "redis": redis_url}


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=20, help="interleaved rounds")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument("--tiny", action="store_true", help="a tiny throwaway world: does it still run?")
    args = parser.parse_args(argv)
    if args.tiny:
        _tiny_standalone()
        return

    where = open_database(rebuild=args.rebuild)
    from django.db import connection

    from bench.district import clear_bench_cache, load_average

    clear_bench_cache()
    rows = measure(logins(), args.rounds)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM cases_case")
        cases = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM cases_dispatch")
        dispatches = cursor.fetchone()[0]
    print()
    print(
        f"{datetime.date.today():%Y-%m-%d}, PostgreSQL {version.split()[0]} ({where['database']}), cache: "
        f"{'Redis' if where['redis'] else 'in-process'}; {STREETS} streets, {cases:,} cases, {dispatches:,} dispatches"
    )
    print(f"{args.rounds} interleaved rounds; load average {load_average()} (1, 5, 15 min)")
    print()
    ok = print_table(rows)
    print()
    print(
        f"targets: lists and statistics p95 < {LIST_TARGET_MS} ms, the overdue job < {JOB_TARGET_MS} ms: "
        + ("all pass" if ok else "NOT MET")
    )


if __name__ == "__main__":
    main()
