"""seed_demo timings on PostgreSQL: the street and the district profile, fresh and again.

    .venv/bin/python bench/seed.py [--profiles street,district]

Each profile runs in a fresh database (created, migrated, dropped), first on an
empty database, then a second time to show the idempotent re-run. The street
profile's target is under 60 s.
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


def _count(database, table):
    return int(_psql(database, f"SELECT count(*) FROM {table}"))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profiles", default="street,district")
    args = parser.parse_args()
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
                _count(database, "grids_grid"),
                _count(database, "grids_household"),
                _count(database, "grids_resident"),
                _count(database, "grids_visit"),
                _count(database, "portal_user"),
            )
        )
        _psql("postgres", f"DROP DATABASE IF EXISTS {database}")

    print("\nseed_demo on PostgreSQL\n")
    print(
        f"{'profile':<9} {'fresh s':>8} {'again s':>8} {'nodes':>6} {'households':>11} {'residents':>10} {'visits':>8} {'logins':>7}"
    )
    for profile, fresh, again, nodes, households, residents, visits, users in rows:
        print(
            f"{profile:<9} {fresh:>8.1f} {again:>8.1f} {nodes:>6,} {households:>11,} {residents:>10,} {visits:>8,} {users:>7,}"
        )
    print("\nTarget: the street profile under 60 s. 'again' is the idempotent second run.")


if __name__ == "__main__":
    main()
