"""The demo district the report and dashboard benchmarks run on.

`open_district()` points Django at a PostgreSQL database whose name contains
"_bench" (BENCH_DATABASE_URL, default portal_reports_bench), creates it if
needed, and fills it once with `seed_demo --profile district` (ten streets, 130
alliances; about three minutes). Later runs reuse it; `rebuild=True` drops and
fills it again. Settings are production-like: DEBUG off, and Redis as the cache
when BENCH_REDIS_URL (default redis://127.0.0.1:6379/4) answers, under a key
prefix of its own that the benchmarks clear.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/portal_reports_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/4"
KEY_PREFIX = "reports-bench"


def _env(database_url, redis_url):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECURE_HTTPS="0",
        SECRET_KEY="bench-only-secret-key-not-for-production-0123456789abcdefghij",
        ALLOWED_HOSTS="testserver,localhost",
        PORTAL_IGNORE_DOTENV="1",
        LOG_LEVEL="WARNING",
        CACHE_KEY_PREFIX=KEY_PREFIX,
        # The portal's settings with STATIC_ROOT under bench/output (DEBUG off serves the manifest).
        DJANGO_SETTINGS_MODULE="bench.settings",
    )
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def _redis_answers(url):
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def _admin_sql(database_url, statement):
    import psycopg2

    admin = psycopg2.connect(database_url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(statement)
        rows = cursor.fetchall() if cursor.description else []
    admin.close()
    return rows


def open_district(rebuild=False, seed=True):
    """Set up Django on the district database, seeding it first if it is empty. Returns a description.

    `seed=False` uses a database filled otherwise (bench/wall.py's) as it is.
    """
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    name = database_url.rsplit("/", 1)[1]
    if "_bench" not in name:
        sys.exit(f"refusing to use {name}: the benchmarks only run on a *_bench* database")
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    if not _redis_answers(redis_url):
        print(f"(no Redis at {redis_url}: the cache is the in-process one)")
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
    seeded = _admin_sql_count(database_url, "SELECT count(*) FROM grids_grid WHERE kind = 'street'")
    if seed and seeded < 10:
        print("seeding the district (seed_demo --profile district, about three minutes) …", flush=True)
        started = time.monotonic()
        # Without Redis: Celery tasks the seeders might queue run in process instead.
        seed_env = {key: value for key, value in env.items() if key != "REDIS_URL"}
        subprocess.run(
            [sys.executable, "manage.py", "seed_demo", "--profile", "district"],
            cwd=ROOT,
            env=seed_env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"seeded in {time.monotonic() - started:.0f} s", flush=True)
    # Autovacuum may be off on a shared benchmark server: do what it would do in
    # production — the planner's statistics, and the visibility maps that let it
    # count from an index alone.
    _analyze(database_url)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return {"database": name, "redis": redis_url}


def _analyze(database_url):
    import psycopg2

    connection = psycopg2.connect(database_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()


def _admin_sql_count(database_url, statement):
    import psycopg2

    try:
        connection = psycopg2.connect(database_url)
    except psycopg2.OperationalError:
        return 0
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
            return cursor.fetchone()[0]
    except psycopg2.Error:
        return 0
    finally:
        connection.close()


def clear_bench_cache():
    """Drop the benchmark's own cache keys (never anything else in that Redis database)."""
    from django.conf import settings
    from django.core.cache import cache

    if not settings.REDIS_URL:
        cache.clear()
        return
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(f"{KEY_PREFIX}:*", count=1000))
    if keys:
        client.delete(*keys)


def percentile(values, share):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def load_average():
    try:
        return ", ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "?"
