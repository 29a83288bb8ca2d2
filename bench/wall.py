"""Benchmark the public wish pages at district scale under gunicorn.

    .venv/bin/python bench/wall.py [--rebuild] [--seconds 15] [--clients 4] [--workers 2]

1. Fills a dedicated PostgreSQL database (portal_wishes_bench, or BENCH_DATABASE_URL)
   with a district: 100 streets, 1,200 communities, 3,600 grids, ~1.6 million
   households and 500,000 wishes in every state (with claims and history),
   using INSERT … SELECT generate_series. A database already filled is reused
   unless --rebuild is given.
2. Counts the SQL queries each page makes (Django's test client, in process).
3. Starts gunicorn with DEBUG off and SECURE_HTTPS=0 on a free local port,
   and drives it from --clients processes for --seconds per page: a
   hello-world view on the same server, the wall (rotating pages, community
   and category filters), the public form (with and without ?grid=) and
   tracking pages of 200 different wishes.
4. Prints p50/p95 latency, requests/s and queries per page, and stops the
   server whatever happens.
"""

import argparse
import http.client
import multiprocessing
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/portal_wishes_bench"

STREETS = 100
COMMUNITIES_PER_STREET = 12
GRIDS_PER_COMMUNITY = 3
BUILDINGS_PER_GRID = 12
HOUSEHOLDS_PER_BUILDING = 37  # 3,600 grids × 12 × 37 = 1,598,400 households
WISHES = 500_000
ROUNDS = 5
VOLUNTEERS = 20_000


def _env(database_url):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECURE_HTTPS="0",
        SECRET_KEY="bench-only-secret-key-not-for-production-0123456789abcdefghij",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SETTINGS_MODULE="bench.settings",
        LOG_LEVEL="WARNING",
    )
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")
    return env


def _manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


# --- data ---------------------------------------------------------------------------------------

DATA_SQL = f"""
INSERT INTO grids_grid (id, name, code, kind, parent_id, address, created_at, lft, rght, tree_id, level)
SELECT s, '街道' || s, 'B' || lpad(s::text, 3, '0'), 'street', NULL, '', now(), 1,
       2 + {COMMUNITIES_PER_STREET} * (2 + 2 * {GRIDS_PER_COMMUNITY}), s, 0
FROM generate_series(1, {STREETS}) s;

INSERT INTO grids_grid (id, name, code, kind, parent_id, address, created_at, lft, rght, tree_id, level)
SELECT 1000 + c, '社区' || c,
       'B' || lpad(((c - 1) / {COMMUNITIES_PER_STREET} + 1)::text, 3, '0') || '-C'
           || lpad(((c - 1) % {COMMUNITIES_PER_STREET} + 1)::text, 2, '0'),
       'community', (c - 1) / {COMMUNITIES_PER_STREET} + 1, '', now(),
       2 + ((c - 1) % {COMMUNITIES_PER_STREET}) * (2 + 2 * {GRIDS_PER_COMMUNITY}),
       2 + ((c - 1) % {COMMUNITIES_PER_STREET}) * (2 + 2 * {GRIDS_PER_COMMUNITY}) + 1 + 2 * {
    GRIDS_PER_COMMUNITY
},
       (c - 1) / {COMMUNITIES_PER_STREET} + 1, 1
FROM generate_series(1, {STREETS * COMMUNITIES_PER_STREET}) c;

INSERT INTO grids_grid (id, name, code, kind, parent_id, address, created_at, lft, rght, tree_id, level)
SELECT 10000 + g, '网格' || g, p.code || '-G' || ((g - 1) % {
    GRIDS_PER_COMMUNITY
} + 1), 'grid', p.id, '', now(),
       p.lft + 1 + 2 * ((g - 1) % {GRIDS_PER_COMMUNITY}), p.lft + 2 + 2 * ((g - 1) % {GRIDS_PER_COMMUNITY}),
       p.tree_id, 2
FROM generate_series(1, {STREETS * COMMUNITIES_PER_STREET * GRIDS_PER_COMMUNITY}) g
JOIN grids_grid p ON p.id = 1000 + (g - 1) / {GRIDS_PER_COMMUNITY} + 1;

SELECT setval(pg_get_serial_sequence('grids_grid', 'id'), (SELECT max(id) FROM grids_grid));

INSERT INTO grids_building (id, grid_id, name, address, units, floors)
SELECT b, 10000 + (b - 1) / {BUILDINGS_PER_GRID} + 1, ((b - 1) % {BUILDINGS_PER_GRID} + 1) || '号楼', '', 3, 7
FROM generate_series(1, {STREETS * COMMUNITIES_PER_STREET * GRIDS_PER_COMMUNITY * BUILDINGS_PER_GRID}) b;
SELECT setval(pg_get_serial_sequence('grids_building', 'id'), (SELECT max(id) FROM grids_building));

INSERT INTO grids_household (grid_id, building_id, unit, room, head_name, phone, id_number, category, notes,
                             last_visited_at, created_at, updated_at)
SELECT 10000 + (b - 1) / {BUILDINGS_PER_GRID} + 1, b, (i / 13 + 1)::text,
       ((i % 13) / 2 + 1)::text || '0' || (i % 2 + 1)::text,
       '居民' || h, '13' || lpad((h::bigint * 7919 % 1000000000)::text, 9, '0'), '',
       (ARRAY['solitary','empty_nest','empty_nest','poor','disabled','military',
              'general','general','general','general','general','general','general','general',
              'general','general','general','general','general','general'])[h % 20 + 1],
       '', now() - ((h % 90) || ' days')::interval, now(), now()
FROM generate_series(1, {
    STREETS * COMMUNITIES_PER_STREET * GRIDS_PER_COMMUNITY * BUILDINGS_PER_GRID * HOUSEHOLDS_PER_BUILDING
}) h,
     LATERAL (SELECT (h - 1) / {HOUSEHOLDS_PER_BUILDING} + 1 AS b, (h - 1) % {
    HOUSEHOLDS_PER_BUILDING
} AS i) x;

INSERT INTO portal_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
                         date_joined, full_name, phone)
VALUES ('!', false, 'bench-volunteer', '', '', '', false, true, now(), '', '');

INSERT INTO volunteers_volunteer (user_id, name, gender, phone, community_id, is_party_member, created_at)
SELECT NULL, '志愿者' || v, '', '', 1000 + (v % {STREETS * COMMUNITIES_PER_STREET}) + 1, v % 2 = 0, now()
FROM generate_series(1, {VOLUNTEERS}) v;

CREATE TEMP TABLE bench_state AS
SELECT w,
       CASE WHEN w % 100 < 2 THEN 'submitted' WHEN w % 100 < 6 THEN 'rejected'
            WHEN w % 100 < 11 THEN 'published' WHEN w % 100 < 12 THEN 'partly_claimed'
            WHEN w % 100 < 15 THEN 'claimed' WHEN w % 100 < 17 THEN 'fulfilled'
            WHEN w % 100 < 92 THEN 'confirmed' ELSE 'closed' END AS status,
       (w::bigint * 7919) % {STREETS * COMMUNITIES_PER_STREET * GRIDS_PER_COMMUNITY} + 1 AS g,
       (ARRAY['daily','study','health','jobs','elderly','other'])[w % 6 + 1] AS category
FROM generate_series(1, {WISHES}) w;

INSERT INTO wishes_wish (id, code, grid_id, community_id, name, phone, address, category, text, public_text,
                         wanted_by, status, slots, claimed_count, priority, household_id, household_category,
                         reject_reason, submitted_by_id, submitted_at, reviewed_at, reviewed_by_id,
                         fulfilled_at, finished_at, overdue_at)
SELECT w,
       upper(translate(substr(md5(w::text), 1, 5), '01', 'XY'))
           || translate(lpad(w::text, 7, '0'), '0123456789', 'ABCDEFGHJK'),
       10000 + g, 1000 + (g - 1) / {
    GRIDS_PER_COMMUNITY
} + 1, '居民' || w, '1380000' || lpad((w % 10000)::text, 4, '0'),
       '', category, '希望有人帮忙：第 ' || w || ' 个心愿，' || repeat('内容', w % 20),
       CASE WHEN status = 'submitted' THEN '' ELSE '希望有人帮忙：第 ' || w || ' 个心愿' END,
       CASE WHEN status IN ('published', 'partly_claimed', 'claimed', 'submitted')
            THEN current_date + (w * 13 % 60) - 5 ELSE current_date - (w % 300) END,
       status,
       CASE WHEN status = 'partly_claimed' OR (status = 'published' AND w % 7 = 0) THEN 3 ELSE 1 END,
       CASE WHEN status IN ('partly_claimed', 'claimed', 'fulfilled', 'confirmed') THEN 1 ELSE 0 END,
       CASE WHEN w % 10 = 0 THEN 1 WHEN w % 97 = 0 THEN 2 ELSE 0 END,
       NULL, '', CASE WHEN status = 'rejected' THEN '不在微心愿范围内' ELSE '' END, NULL,
       now() - ((w % 365) || ' days')::interval,
       CASE WHEN status = 'submitted' THEN NULL ELSE now() - ((w % 365) || ' days')::interval + interval '1 day' END,
       NULL,
       CASE WHEN status IN ('fulfilled', 'confirmed', 'closed') THEN now() - ((w % 300) || ' days')::interval END,
       CASE WHEN status IN ('confirmed', 'closed', 'rejected') THEN now() - ((w % 300) || ' days')::interval END,
       NULL
FROM bench_state;
SELECT setval(pg_get_serial_sequence('wishes_wish', 'id'), (SELECT max(id) FROM wishes_wish));

INSERT INTO wishes_claim (wish_id, volunteer_id, team_id, unit_id, slot_no, status, claimed_by_id, claimed_at,
                          withdrawn_at, fulfilled_at, fulfilment_note, photo, confirmed_at, rating, comment,
                          closed_at)
SELECT w, (SELECT min(id) FROM volunteers_volunteer) + w % {VOLUNTEERS}, NULL, NULL, 1,
       CASE status WHEN 'fulfilled' THEN 'fulfilled' WHEN 'confirmed' THEN 'confirmed' ELSE 'claimed' END,
       (SELECT id FROM portal_user WHERE username = 'bench-volunteer'),
       now() - ((w % 365) || ' days')::interval + interval '2 days', NULL,
       CASE WHEN status IN ('fulfilled', 'confirmed') THEN now() - ((w % 300) || ' days')::interval END,
       CASE WHEN status IN ('fulfilled', 'confirmed') THEN '已上门完成' ELSE '' END, '',
       CASE WHEN status = 'confirmed' THEN now() - ((w % 300) || ' days')::interval END,
       CASE WHEN status = 'confirmed' THEN 5 - w % 3 END, '', NULL
FROM bench_state WHERE status IN ('partly_claimed', 'claimed', 'fulfilled', 'confirmed');

INSERT INTO wishes_wishevent (wish_id, claim_id, kind, actor_id, note, at)
SELECT w.id, NULL::bigint, 'submitted', NULL::bigint, '', w.submitted_at FROM wishes_wish w
UNION ALL
SELECT w.id, NULL::bigint, CASE WHEN w.status = 'rejected' THEN 'rejected' ELSE 'published' END, NULL::bigint,
       w.reject_reason, w.reviewed_at
FROM wishes_wish w WHERE w.reviewed_at IS NOT NULL
UNION ALL
SELECT c.wish_id, c.id, 'claimed', NULL::bigint, '志愿者 志**', c.claimed_at FROM wishes_claim c
UNION ALL
SELECT c.wish_id, c.id, 'fulfilled', NULL::bigint, '志愿者 志**', c.fulfilled_at FROM wishes_claim c
WHERE c.fulfilled_at IS NOT NULL;

"""


def _psql(database_url, sql):
    subprocess.run(["psql", database_url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True)


def _filled(database_url):
    # The data goes in as one transaction, so events present means all of it is.
    query = "SELECT count(*) FROM wishes_wish WHERE EXISTS (SELECT 1 FROM wishes_wishevent)"
    result = subprocess.run(["psql", database_url, "-At", "-c", query], capture_output=True, text=True)
    return result.returncode == 0 and result.stdout.strip() == str(WISHES)


def build(database_url, rebuild):
    if not rebuild and _filled(database_url):
        # Bring an older filled database up to the current schema.
        _manage(_env(database_url), "migrate", "-v0")
        print("reusing the filled benchmark database")
        return
    base, _, name = database_url.rpartition("/")
    admin = f"{base}/postgres"
    _psql(admin, f'DROP DATABASE IF EXISTS "{name}"')
    _psql(admin, f'CREATE DATABASE "{name}"')
    env = _env(database_url)
    started = time.monotonic()
    _manage(env, "migrate", "-v0")
    print(f"migrated in {time.monotonic() - started:.0f} s; generating the district …", flush=True)
    started = time.monotonic()
    subprocess.run(
        ["psql", database_url, "-v", "ON_ERROR_STOP=1", "-q", "--single-transaction"],
        input=DATA_SQL,
        text=True,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    _psql(database_url, "ANALYZE")
    print(f"generated in {time.monotonic() - started:.0f} s", flush=True)


# --- targets ------------------------------------------------------------------------------------


def targets(database_url):
    """URL lists for each page, drawn from the data (fixed seed)."""
    rows = subprocess.run(
        [
            "psql",
            database_url,
            "-At",
            "-F",
            " ",
            "-c",
            "SELECT 'c', id::text FROM grids_grid WHERE kind = 'community' UNION ALL "
            "SELECT 'g', code FROM grids_grid WHERE kind = 'grid' UNION ALL "
            "(SELECT 't', code FROM wishes_wish WHERE status IN ('fulfilled', 'confirmed', 'claimed') "
            "ORDER BY id LIMIT 200)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    found = {"c": [], "g": [], "t": []}
    for row in filter(None, rows):
        kind, value = row.split(" ", 1)
        found[kind].append(value)
    rng = random.Random(4)
    categories = ["daily", "study", "health", "jobs", "elderly", "other"]
    wall = ["/wishes/", "/wishes/?page=2", "/wishes/?page=5"]
    wall += [f"/wishes/?community={c}" for c in rng.sample(found["c"], 40)]
    wall += [f"/wishes/?category={c}" for c in categories]
    wall += [f"/wishes/?community={c}&category={rng.choice(categories)}" for c in rng.sample(found["c"], 20)]
    new = ["/wishes/new/"] + [f"/wishes/new/?grid={g}" for g in rng.sample(found["g"], 40)]
    track = [f"/wishes/track/{code}/" for code in found["t"]]
    return {
        "hello world": ["/bench/hello/"],
        "/wishes/ (wall)": wall,
        "/wishes/new/ (form)": new,
        "/wishes/track/CODE/": track,
    }


def count_queries(database_url, pages):
    """SQL queries per request of each page, with a warm cache, in this process."""
    os.environ.update(_env(database_url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    for label, urls in pages.items():
        per_url = []
        for url in urls[:10]:
            client.get(url)  # warm the cache, as under load
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            per_url.append(len(queries))
        counts[label] = (min(per_url), max(per_url))
    connection.close()
    return counts


# --- server and load ------------------------------------------------------------------------------


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database_url, workers):
    env = _env(database_url)
    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server, port
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise RuntimeError("gunicorn did not start")


def stop_server(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _client(port, urls, seconds, seed, queue):
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies, errors = [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        url = rng.choice(urls)
        started = time.perf_counter()
        try:
            conn.request("GET", url)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors += 1
        except OSError:
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            continue
        latencies.append(time.perf_counter() - started)
    conn.close()
    queue.put((latencies, errors))


def load(port, urls, seconds, clients):
    """Run `clients` processes against `urls` for `seconds`; (latencies, errors, elapsed)."""
    queue = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(target=_client, args=(port, urls, seconds, n, queue)) for n in range(clients)
    ]
    started = time.monotonic()
    for proc in procs:
        proc.start()
    results = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    elapsed = time.monotonic() - started
    return [x for lat, _e in results for x in lat], sum(e for _lat, e in results), elapsed


def summary(latencies, errors, elapsed):
    """(count, errors, rps, p50 ms, p95 ms)."""
    latencies = sorted(latencies)
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else float("nan")
    return len(latencies), errors, len(latencies) / elapsed, statistics.median(latencies) * 1000, p95 * 1000


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rebuild", action="store_true", help="drop and regenerate the benchmark database")
    parser.add_argument("--seconds", type=float, default=15, help="load time per page")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client processes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    if not database_url.rsplit("/", 1)[-1].startswith("portal_wishes_bench"):
        sys.exit("BENCH_DATABASE_URL must name a database called portal_wishes_bench…")

    build(database_url, args.rebuild)
    _manage(_env(database_url), "collectstatic", "--noinput", "-v0")  # DEBUG off serves the manifest
    pages = targets(database_url)
    queries = count_queries(database_url, pages)
    server, port = start_server(database_url, args.workers)
    totals = {label: ([], 0, 0.0) for label in pages}
    load_before = os.getloadavg()[0]
    try:
        for urls in pages.values():
            load(port, urls, 2, args.clients)  # warm up every worker and cache
        # Short rounds, pages interleaved: load from anything else on the
        # machine then weighs on every page alike instead of on one.
        for _round in range(ROUNDS):
            for label, urls in pages.items():
                latencies, errors, elapsed = load(port, urls, args.seconds / ROUNDS, args.clients)
                kept, failed, took = totals[label]
                totals[label] = (kept + latencies, failed + errors, took + elapsed)
    finally:
        stop_server(server)
    rows = [(label, *summary(*totals[label])) for label in pages]

    hello_rps = rows[0][3]
    print()
    print(
        f"gunicorn {args.workers} sync workers, {args.clients} client processes, {args.seconds:.0f} s per page "
        f"in {ROUNDS} interleaved rounds, {os.cpu_count()} CPU cores, DEBUG off, "
        f"load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after"
    )
    header = f"{'page':<22} {'requests':>9} {'errors':>6} {'req/s':>8} {'vs hello':>8} {'p50 ms':>7} {'p95 ms':>7} {'SQL/page':>8}"
    print(header)
    print("-" * len(header))
    for label, count, errors, rps, p50, p95 in rows:
        low, high = queries[label]
        sql = str(low) if low == high else f"{low}-{high}"
        print(
            f"{label:<22} {count:>9} {errors:>6} {rps:>8.0f} {rps / hello_rps:>7.0%} {p50:>7.1f} {p95:>7.1f} {sql:>8}"
        )


if __name__ == "__main__":
    main()
