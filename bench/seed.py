"""seed_demo timings on PostgreSQL: the street and the district profile, fresh and again.

    .venv/bin/python bench/seed.py [--profiles street,district]

Each profile runs in a fresh database (created, migrated, dropped), first on an
empty database, then a second time to show the idempotent re-run. The street
profile's target is under 60 s.

`--tiny` runs the script's own steps (seed, seed again, count the tables, print
the table) on a throwaway SQLite database with the tiny world of
bench/tiny.py in place of seed_demo, whose run at street scale has a test of
its own (tests/portal/test_seed_demo.py): it checks that the script still runs
(tests/bench/ does so in CI), not how fast anything is.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("PGHOST", "127.0.0.1")
PG_USER = os.environ.get("PGUSER", "postgres")


def _psql(database, sql):
    out = subprocess.run(
        ["psql", "-h", PG, "-U", PG_USER, "-d", database, "-tAc", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def _manage(database, *args):
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{PG_USER}@{PG}:5432/{database}",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "localhost",
        "PORTAL_IGNORE_DOTENV": "1",
    }
    env.pop("REDIS_URL", None)
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


TABLES = ("grids_grid", "grids_household", "grids_resident", "grids_visit", "portal_user")


def _count(database, table):
    return int(_psql(database, f"SELECT count(*) FROM {table}"))


def print_table(rows, out=sys.stdout):
    print(
        f"{'profile':<9} {'fresh s':>8} {'again s':>8} {'nodes':>6} {'households':>11} {'residents':>10} {'visits':>8} {'logins':>7}",
        file=out,
    )
    for profile, fresh, again, nodes, households, residents, visits, users in rows:
        print(
            f"{profile:<9} {fresh:>8.1f} {again:>8.1f} {nodes:>6,} {households:>11,} {residents:>10,} {visits:>8,} {users:>7,}",
            file=out,
        )


def run_tiny(out=sys.stdout):
    """The tiny world in place of seed_demo, counted with the script's own table list; returns the row."""
    from django.db import connection

    from bench.tiny import build_tiny

    started = time.perf_counter()
    build_tiny()
    fresh = time.perf_counter() - started
    counted = []
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counted.append(cursor.fetchone()[0])
    row = ("tiny", fresh, 0.0, *counted)
    print_table([row], out=out)
    return row


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profiles", default="street,district")
    parser.add_argument(
        "--tiny", action="store_true", help="the script's steps on a tiny world: does it run?"
    )
    args = parser.parse_args()
    if args.tiny:
        sys.path.insert(0, str(ROOT))
        from bench.tiny import standalone

        standalone(run_tiny)
        return
    rows = []
    for profile in args.profiles.split(","):
        database = f"portal_bench_seed_{profile}"
        _psql("postgres", f"DROP DATABASE IF EXISTS {database}")
        _psql("postgres", f"CREATE DATABASE {database}")
        print(f"{profile}: migrating …", flush=True)
        _manage(database, "migrate", "-v0")
        print(f"{profile}: seeding …", flush=True)
        fresh = _manage(database, "seed_demo", "--profile", profile)
        again = _manage(database, "seed_demo", "--profile", profile)
        rows.append(
            (
                profile,
                fresh,
                again,
                *(_count(database, table) for table in TABLES),
            )
        )
        _psql("postgres", f"DROP DATABASE IF EXISTS {database}")

    print("\nseed_demo on PostgreSQL\n")
    print_table(rows)
    print("\nTarget: the street profile under 60 s. 'again' is the idempotent second run.")


if __name__ == "__main__":
    main()
