"""Benchmark of the 民情图: one grid's map page, per role, for a small and a 300-household grid.

    .venv/bin/python bench/people_map.py [--households 300] [--requests 30] [--rounds 3]
    .venv/bin/python bench/people_map.py --tiny

Builds a street in a fresh PostgreSQL database (`test_portal_bench_people_map`,
created and dropped by Django's test-database machinery; PGHOST, PGUSER) with
three communities of three grids. The measured grid holds `--households`
households in ten buildings (2 units × floors × 3 doors), the others 100 each
plus one small grid of 30; about 14 % of households are vulnerable, most of
them paired, some overdue.

For the grid worker of the grid, the community's secretary and the street's
staff it requests /care/map/CODE/ through Django's full stack in process
(middleware, session, view, template; DEBUG off), in interleaved rounds, and
prints p50 and p95 in milliseconds, the SQL queries of one request, and the
cells drawn. The small grid's row shows the queries do not grow with the
households. Target: p95 under 200 ms for the 300-household grid, and the same
number of queries for both grids.

`--tiny` builds a few households in a throwaway SQLite database and runs one
short round: it checks that the benchmark still runs (a test does this in CI),
not how fast anything is.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_MS = 200
DATABASE = "portal_bench_people_map"
VULNERABLE_SHARE = 0.14


def build(households=300, others=100, small=30, grids_per_community=3, communities=3):
    """One street; returns {"big": grid, "small": grid, "users": [(label, user)]}."""
    import datetime

    from django.contrib.auth.models import Group
    from django.utils import timezone

    from care.models import Pairing
    from grids import services as grids
    from grids.models import Building, Household
    from portal.models import User
    from portal.roles import Role, sync_roles
    from portal.services import user_grant_role

    sync_roles()
    rng = random.Random(15)
    now = timezone.now()
    street = grids.grid_create(name="民情街道", code="PM", kind="street")
    nodes = []
    for c in range(1, communities + 1):
        community = grids.grid_create(name=f"民情{c}社区", code=f"PM-C{c}", kind="community", parent=street)
        for g in range(1, grids_per_community + 1):
            nodes.append(
                grids.grid_create(
                    name=f"民情{c}社区第{g}网格", code=f"PM-C{c}-G{g}", kind="grid", parent=community
                )
            )
    big, tiny_grid = nodes[0], nodes[1]

    def login(username, role, scope):
        user = User.objects.create_user(username=username, password="bench-only-password", full_name=username)
        Group.objects.get_or_create(name=role.value)
        user_grant_role(user=user, role=role, scope=scope)
        return user

    users = [
        ("grid worker", login("pm_gridworker", Role.GRID_WORKER, big)),
        ("secretary", login("pm_secretary", Role.COMMUNITY_SECRETARY, big.parent)),
        ("street staff", login("pm_street", Role.STREET_STAFF, street)),
    ]
    small_worker = login("pm_gridworker_small", Role.GRID_WORKER, tiny_grid)
    partner = login("pm_partner", Role.GRID_WORKER, street)

    vulnerable = list(Household.VULNERABLE)
    rows = []
    for grid in nodes:
        count = households if grid is big else small if grid is tiny_grid else others
        buildings = max(1, min(10, count // 30))
        per_building = -(-count // buildings)
        floors = max(1, -(-per_building // 6))
        made = 0
        for b in range(1, buildings + 1):
            building = Building.objects.create(grid=grid, name=f"{b}号楼", units=2, floors=floors)
            places = [(u, f, d) for u in (1, 2) for f in range(1, floors + 1) for d in (1, 2, 3)]
            for unit, floor, door in places[: min(per_building, count - made)]:
                rows.append(
                    Household(
                        grid=grid,
                        building=building,
                        unit=str(unit),
                        room=f"{floor}{door:02d}",
                        head_name=f"住户{len(rows)}",
                        category=rng.choice(vulnerable) if rng.random() < VULNERABLE_SHARE else "general",
                        last_visited_at=now - datetime.timedelta(days=rng.randint(0, 60))
                        if rng.random() < 0.9
                        else None,
                    )
                )
                made += 1
    Household.objects.bulk_create(rows, batch_size=2000)
    pairings = [
        Pairing(
            household=h,
            grid_id=h.grid_id,
            partner_kind=Pairing.PartnerKind.CADRE,
            partner=partner,
            start_date=now.date() - datetime.timedelta(days=30),
        )
        for h in Household.objects.filter(category__in=vulnerable)
        if rng.random() < 0.8
    ]
    Pairing.objects.bulk_create(pairings, batch_size=2000)
    return {"big": big, "small": tiny_grid, "users": users, "small_user": ("grid worker", small_worker)}


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def measure(world, requests=30, rounds=3):
    """[row] for each user on the big grid, and the small grid's worker on theirs."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from grids.models import Household

    connection.settings_dict["CONN_MAX_AGE"] = None
    cases = [(label, user, world["big"]) for label, user in world["users"]]
    cases.append((*world["small_user"], world["small"]))
    clients = {}
    for label, user, grid in cases:
        client = Client()
        client.force_login(user)
        clients[(label, grid.pk)] = client
    samples = {key: [] for key in clients}
    queries, sizes = {}, {}

    def get(key, grid):
        response = clients[key].get(reverse("care:people_map", args=[grid.code]))
        assert response.status_code == 200, response.status_code
        return response

    for label, _user, grid in cases:  # warm up: imports, templates, the connection
        get((label, grid.pk), grid)
    for _round in range(rounds):
        for label, _user, grid in cases:
            key = (label, grid.pk)
            for _ in range(requests):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = get(key, grid)
                    samples[key].append((time.perf_counter() - started) * 1000)
                queries[key] = len(captured)
                sizes[key] = response.content.count(b'class="cell cat-')
    result = []
    for label, user, grid in cases:
        key = (label, grid.pk)
        result.append(
            {
                "label": label,
                "login": user.username,
                "grid": grid.code,
                "households": Household.objects.filter(grid=grid).count(),
                "cells": sizes[key],
                "p50": statistics.median(samples[key]),
                "p95": _percentile(samples[key], 0.95),
                "queries": queries[key],
            }
        )
    return result


def print_table(rows, out=sys.stdout):
    header = (
        f"{'user':<13} {'login':<20} {'grid':<9} {'households':>10} {'cells':>6} | "
        f"{'p50 ms':>7} {'p95 ms':>7} | {'SQL':>4}"
    )
    print(header, file=out)
    print("-" * len(header), file=out)
    for r in rows:
        print(
            f"{r['label']:<13} {r['login']:<20} {r['grid']:<9} {r['households']:>10} {r['cells']:>6} | "
            f"{r['p50']:>7.1f} {r['p95']:>7.1f} | {r['queries']:>4}",
            file=out,
        )


def run_tiny(out=sys.stdout):
    """Build a tiny street in the current database and print one short round's table."""
    world = build(households=12, others=3, small=4, grids_per_community=2, communities=1)
    rows = measure(world, requests=2, rounds=1)
    print_table(rows, out=out)
    return rows


def _setup(database_url):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    os.environ["PORTAL_IGNORE_DOTENV"] = "1"
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.conf import settings

    # The page's cost, not the manifest's: static URLs without collectstatic, as the tests have them.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=300, help="households of the measured grid")
    parser.add_argument("--requests", type=int, default=30, help="requests per user and round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--tiny", action="store_true", help="a tiny throwaway world: does it still run?")
    args = parser.parse_args(argv)
    if args.tiny:
        os.environ.setdefault("DEBUG", "1")
        _setup("sqlite:///:memory:")
        from django.db import connection

        connection.creation.create_test_db(verbosity=0)
        run_tiny()
        return

    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["SECURE_HTTPS"] = "0"
    host, user = os.environ.get("PGHOST", "127.0.0.1"), os.environ.get("PGUSER", "postgres")
    _setup(f"postgres://{user}@{host}:5432/{DATABASE}")
    from django.db import connection

    name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        started = time.perf_counter()
        world = build(households=args.households)
        built = time.perf_counter() - started
        rows = measure(world, requests=args.requests, rounds=args.rounds)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        try:
            load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
        except OSError:
            load = "?"
        print()
        print(
            f"PostgreSQL {version.split()[0]} ({name}), built in {built:.1f} s; DEBUG off, in-process cache"
        )
        print(f"{args.rounds} interleaved rounds of {args.requests} requests per user; load average {load}")
        print()
        print_table(rows)
        big = [r for r in rows if r["grid"] == world["big"].code]
        worst = max(r["p95"] for r in big)
        same = len({r["queries"] for r in rows if r["label"] == "grid worker"}) == 1
        print()
        print(
            f"target: p95 under {TARGET_MS} ms for {args.households} households: "
            f"{'yes' if worst < TARGET_MS else 'no'} (worst {worst:.1f} ms); "
            f"same queries for the small and the large grid: {'yes' if same else 'no'}"
        )
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
