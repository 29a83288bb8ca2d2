"""Benchmark the public wish pages at district scale under gunicorn.

    .venv/bin/python bench/wall.py [--rebuild] [--seconds 15] [--clients 4] [--workers 2]
    .venv/bin/python bench/wall.py --tiny

1. Fills a dedicated PostgreSQL database (portal_wishes_bench, or BENCH_DATABASE_URL)
   with a district: 100 streets, 1,200 communities, 3,600 grids, ~1.6 million
   households and 500,000 wishes in every state (with claims and history),
   through the models (bulk_create), so that the rows always follow the
   schema. A database already filled is reused unless --rebuild is given.
2. Counts the SQL queries each page makes (Django's test client, in process).
3. Starts gunicorn with DEBUG off and SECURE_HTTPS=0 on a free local port,
   and drives it from --clients processes for --seconds per page: a
   hello-world view on the same server, the wall (rotating pages, community
   and category filters), the public form (with and without ?grid=) and
   tracking pages of 200 different wishes.
4. Prints p50/p95 latency, requests/s and queries per page, and stops the
   server whatever happens.

`--tiny` fills a throwaway SQLite database with a few rows through the same
code and requests the pages in process: it checks that the benchmark still
runs (tests/bench/ does so in CI), not how fast anything is.
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
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Scale:
    streets: int = STREETS
    communities_per_street: int = COMMUNITIES_PER_STREET
    grids_per_community: int = GRIDS_PER_COMMUNITY
    buildings_per_grid: int = BUILDINGS_PER_GRID
    households_per_building: int = HOUSEHOLDS_PER_BUILDING
    wishes: int = WISHES
    volunteers: int = VOLUNTEERS

    @property
    def grids(self):
        return self.streets * self.communities_per_street * self.grids_per_community


TINY = Scale(
    streets=1,
    communities_per_street=2,
    grids_per_community=2,
    buildings_per_grid=2,
    households_per_building=6,
    wishes=300,
    volunteers=20,
)
BATCH = 5000


def _status(w):
    """The wish's status, in the shares of a district that has run for a year."""
    r = w % 100
    for bound, status in (
        (2, "submitted"),
        (6, "rejected"),
        (11, "published"),
        (12, "partly_claimed"),
        (15, "claimed"),
        (17, "fulfilled"),
        (92, "confirmed"),
    ):
        if r < bound:
            return status
    return "closed"


def _batched(rows, model):
    """bulk_create an iterable of unsaved objects in batches; returns how many."""
    made, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            model.objects.bulk_create(batch)
            made += len(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch)
        made += len(batch)
    return made


def fill(scale=Scale(), out=sys.stdout):
    """Build the district through the models (bulk_create): the rows follow the schema as it is.

    Every row is an instance of the current model, so a column added to a
    table takes its model default here instead of breaking the benchmark.
    """
    import datetime

    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    from grids.models import Building, Grid, Household
    from portal.models import User
    from volunteers.models import Volunteer
    from wishes.models import CODE_ALPHABET, Wish

    now = timezone.now()
    today = timezone.localdate()
    rng = random.Random(4)
    categories = [c.value for c in Wish.Category]
    rainbow = ["solitary", "empty_nest", "empty_nest", "poor", "disabled", "military"] + ["general"] * 14
    c_count, g_count = scale.communities_per_street, scale.grids_per_community
    with transaction.atomic():
        first_tree = (Grid.objects.aggregate(top=Max("tree_id"))["top"] or 0) + 1
        streets = Grid.objects.bulk_create(
            Grid(
                name=f"街道{s}",
                code=f"B{s:03d}",
                kind="street",
                lft=1,
                rght=2 + c_count * (2 + 2 * g_count),
                tree_id=first_tree + s - 1,
                level=0,
            )
            for s in range(1, scale.streets + 1)
        )
        communities = Grid.objects.bulk_create(
            Grid(
                name=f"社区{street.pk}-{c}",
                code=f"{street.code}-C{c:02d}",
                kind="community",
                parent=street,
                lft=2 + (c - 1) * (2 + 2 * g_count),
                rght=2 + (c - 1) * (2 + 2 * g_count) + 1 + 2 * g_count,
                tree_id=street.tree_id,
                level=1,
            )
            for street in streets
            for c in range(1, c_count + 1)
        )
        grids = Grid.objects.bulk_create(
            Grid(
                name=f"网格{community.code[1:]}-{g}",
                code=f"{community.code}-G{g}",
                kind="grid",
                parent=community,
                lft=community.lft + 1 + 2 * (g - 1),
                rght=community.lft + 2 + 2 * (g - 1),
                tree_id=community.tree_id,
                level=2,
            )
            for community in communities
            for g in range(1, g_count + 1)
        )
        print(f"  {len(grids):,} grids", file=out, flush=True)
        buildings = []
        for grid in grids:
            buildings += [
                Building(grid=grid, name=f"{b}号楼", units=3, floors=7)
                for b in range(1, scale.buildings_per_grid + 1)
            ]
        for building in buildings:
            building.fill_sort_key()
        buildings = Building.objects.bulk_create(buildings, batch_size=BATCH)

        def households():
            h = 0
            for building in buildings:
                for i in range(scale.households_per_building):
                    h += 1
                    household = Household(
                        grid_id=building.grid_id,
                        building=building,
                        unit=str(i // 13 + 1),
                        room=f"{(i % 13) // 2 + 1}0{i % 2 + 1}",
                        head_name=f"居民{h}",
                        phone=f"13{h * 7919 % 1_000_000_000:09d}",
                        category=rainbow[h % 20],
                        last_visited_at=now - datetime.timedelta(days=h % 90),
                    )
                    household.fill_sort_key()  # what save() does, which bulk_create skips
                    yield household

        made = _batched(households(), Household)
        print(f"  {made:,} households", file=out, flush=True)
        claimer, _created = User.objects.get_or_create(username="bench-volunteer", defaults={"password": "!"})
        volunteers = Volunteer.objects.bulk_create(
            (
                Volunteer(
                    name=f"志愿者{v}", community=communities[v % len(communities)], is_party_member=v % 2 == 0
                )
                for v in range(1, scale.volunteers + 1)
            ),
            batch_size=BATCH,
        )

        def wishes():
            for w in range(1, scale.wishes + 1):
                status = _status(w)
                grid = grids[w * 7919 % len(grids)]
                submitted = now - datetime.timedelta(days=w % 365)
                finished = now - datetime.timedelta(days=w % 300)
                open_ = status in ("published", "partly_claimed", "claimed", "submitted")
                yield Wish(
                    code="".join(rng.choice(CODE_ALPHABET) for _ in range(12)),
                    grid=grid,
                    community_id=grid.parent_id,
                    name=f"居民{w}",
                    phone=f"1380000{w % 10000:04d}",
                    category=categories[w % 6],
                    text=f"希望有人帮忙：第 {w} 个心愿，" + "内容" * (w % 20),
                    public_text="" if status == "submitted" else f"希望有人帮忙：第 {w} 个心愿",
                    wanted_by=today + datetime.timedelta(days=w * 13 % 60 - 5)
                    if open_
                    else today - datetime.timedelta(days=w % 300),
                    status=status,
                    slots=3 if status == "partly_claimed" or (status == "published" and w % 7 == 0) else 1,
                    claimed_count=1
                    if status in ("partly_claimed", "claimed", "fulfilled", "confirmed")
                    else 0,
                    priority=1 if w % 10 == 0 else 2 if w % 97 == 0 else 0,
                    reject_reason="不在微心愿范围内" if status == "rejected" else "",
                    submitted_at=submitted,
                    reviewed_at=None if status == "submitted" else submitted + datetime.timedelta(days=1),
                    fulfilled_at=finished if status in ("fulfilled", "confirmed", "closed") else None,
                    finished_at=finished if status in ("confirmed", "closed", "rejected") else None,
                )

        made = 0
        claims_made = events_made = 0
        batch = []
        for wish in wishes():
            batch.append(wish)
            if len(batch) == BATCH:
                claims, events = _claims_and_events(Wish.objects.bulk_create(batch), volunteers, claimer)
                claims_made, events_made = claims_made + claims, events_made + events
                made += len(batch)
                batch = []
        if batch:
            claims, events = _claims_and_events(Wish.objects.bulk_create(batch), volunteers, claimer)
            claims_made, events_made = claims_made + claims, events_made + events
            made += len(batch)
        print(
            f"  {made:,} wishes, {claims_made:,} claims, {events_made:,} history rows", file=out, flush=True
        )


def _claims_and_events(wishes, volunteers, claimer):
    """The claims and the history of a batch of saved wishes; returns (claims, events)."""
    import datetime

    from wishes.models import Claim, WishEvent

    claims = []
    for wish in wishes:
        if wish.status not in ("partly_claimed", "claimed", "fulfilled", "confirmed"):
            continue
        done = wish.status in ("fulfilled", "confirmed")
        claims.append(
            Claim(
                wish=wish,
                volunteer=volunteers[wish.pk % len(volunteers)],
                slot_no=1,
                status={"fulfilled": "fulfilled", "confirmed": "confirmed"}.get(wish.status, "claimed"),
                claimed_by=claimer,
                claimed_at=wish.submitted_at + datetime.timedelta(days=2),
                fulfilled_at=wish.fulfilled_at if done else None,
                fulfilment_note="已上门完成" if done else "",
                confirmed_at=wish.fulfilled_at if wish.status == "confirmed" else None,
                rating=5 - wish.pk % 3 if wish.status == "confirmed" else None,
            )
        )
    claims = Claim.objects.bulk_create(claims)
    events = [WishEvent(wish=wish, kind="submitted", at=wish.submitted_at) for wish in wishes]
    events += [
        WishEvent(
            wish=wish,
            kind="rejected" if wish.status == "rejected" else "published",
            note=wish.reject_reason,
            at=wish.reviewed_at,
        )
        for wish in wishes
        if wish.reviewed_at is not None
    ]
    for claim in claims:
        events.append(
            WishEvent(wish=claim.wish, claim=claim, kind="claimed", note="志愿者 志**", at=claim.claimed_at)
        )
        if claim.fulfilled_at:
            events.append(
                WishEvent(
                    wish=claim.wish, claim=claim, kind="fulfilled", note="志愿者 志**", at=claim.fulfilled_at
                )
            )
    WishEvent.objects.bulk_create(events, batch_size=BATCH)
    return len(claims), len(events)


def _setup(database_url):
    os.environ.update(_env(database_url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _filled():
    from wishes.models import Wish, WishEvent

    # The data goes in as one transaction, so history present means all of it is.
    return WishEvent.objects.exists() and Wish.objects.count() == WISHES


def build(database_url, rebuild):
    """Create (or reuse) the benchmark database, migrated and filled; Django is set up on it after."""
    import psycopg2

    base, _, name = database_url.rpartition("/")
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        if rebuild:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    _setup(database_url)
    from django.core.management import call_command
    from django.db import connection

    started = time.monotonic()
    call_command("migrate", verbosity=0)  # brings an older filled database up to the current schema too
    if _filled():
        print("reusing the filled benchmark database")
        return
    print(f"migrated in {time.monotonic() - started:.0f} s; generating the district …", flush=True)
    started = time.monotonic()
    fill()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"generated in {time.monotonic() - started:.0f} s", flush=True)


# --- targets ------------------------------------------------------------------------------------


def targets():
    """URL lists for each page, drawn from the data (fixed seed)."""
    from grids.models import Grid
    from wishes.models import Wish

    communities = [str(pk) for pk in Grid.objects.filter(kind="community").values_list("pk", flat=True)]
    grid_codes = list(Grid.objects.filter(kind="grid").values_list("code", flat=True))
    tracked = list(
        Wish.objects.filter(status__in=("fulfilled", "confirmed", "claimed"))
        .order_by("pk")
        .values_list("code", flat=True)[:200]
    )
    rng = random.Random(4)
    categories = ["daily", "study", "health", "jobs", "elderly", "other"]
    wall = ["/wishes/", "/wishes/?page=2", "/wishes/?page=5"]
    wall += [f"/wishes/?community={c}" for c in rng.sample(communities, min(40, len(communities)))]
    wall += [f"/wishes/?category={c}" for c in categories]
    wall += [
        f"/wishes/?community={c}&category={rng.choice(categories)}"
        for c in rng.sample(communities, min(20, len(communities)))
    ]
    new = ["/wishes/new/"] + [
        f"/wishes/new/?grid={g}" for g in rng.sample(grid_codes, min(40, len(grid_codes)))
    ]
    track = [f"/wishes/track/{code}/" for code in tracked]
    return {
        "hello world": ["/bench/hello/"],
        "/wishes/ (wall)": wall,
        "/wishes/new/ (form)": new,
        "/wishes/track/CODE/": track,
    }


def count_queries(pages):
    """SQL queries per request of each page, with a warm cache, in this process."""
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


def print_table(rows, queries, out=sys.stdout):
    """The table of pages; returns {label: share of hello-world's requests per second}."""
    hello_rps = rows[0][3]
    header = f"{'page':<22} {'requests':>9} {'errors':>6} {'req/s':>8} {'vs hello':>8} {'p50 ms':>7} {'p95 ms':>7} {'SQL/page':>8}"
    print(header, file=out)
    print("-" * len(header), file=out)
    shares = {}
    for label, count, errors, rps, p50, p95 in rows:
        low, high = queries[label]
        sql = str(low) if low == high else f"{low}-{high}"
        shares[label] = rps / hello_rps
        print(
            f"{label:<22} {count:>9} {errors:>6} {rps:>8.0f} {rps / hello_rps:>7.0%} {p50:>7.1f} {p95:>7.1f} {sql:>8}",
            file=out,
        )
    return shares


def _in_process(pages, rounds, requests):
    """The interleaved rounds through Django's test client (the tiny mode: no server, no sockets)."""
    from django.test import Client

    client = Client()
    totals = {label: ([], 0, 0.0) for label in pages}
    for _round in range(rounds):
        for label, urls in pages.items():
            latencies, errors = [], 0
            began = time.perf_counter()
            for n in range(requests):
                started = time.perf_counter()
                if client.get(urls[n % len(urls)]).status_code != 200:
                    errors += 1
                latencies.append(time.perf_counter() - started)
            kept, failed, took = totals[label]
            totals[label] = (kept + latencies, failed + errors, took + time.perf_counter() - began)
    return [(label, *summary(*totals[label])) for label in pages]


def run_tiny(out=sys.stdout):
    """A tiny district in the current database, the pages counted and requested in process; the shares."""
    from django.test import override_settings

    fill(TINY, out=out)
    with override_settings(ROOT_URLCONF="bench.urls"):
        pages = targets()
        queries = count_queries(pages)
        rows = _in_process(pages, rounds=2, requests=3)
    print(f"tiny mode: {TINY}, in process, 2 rounds; the numbers mean nothing", file=out)
    return print_table(rows, queries, out=out)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rebuild", action="store_true", help="drop and regenerate the benchmark database")
    parser.add_argument("--seconds", type=float, default=15, help="load time per page")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client processes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--tiny", action="store_true", help="a tiny throwaway district: does it still run?")
    args = parser.parse_args()
    if args.tiny:
        sys.path.insert(0, str(ROOT))
        from bench.tiny import standalone

        standalone(run_tiny)
        return
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    if not database_url.rsplit("/", 1)[-1].startswith("portal_wishes_bench"):
        sys.exit("BENCH_DATABASE_URL must name a database called portal_wishes_bench…")

    build(database_url, args.rebuild)
    _manage(_env(database_url), "collectstatic", "--noinput", "-v0")  # DEBUG off serves the manifest
    pages = targets()
    queries = count_queries(pages)
    from django.db import connection

    connection.close()
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

    print()
    print(
        f"gunicorn {args.workers} sync workers, {args.clients} client processes, {args.seconds:.0f} s per page "
        f"in {ROUNDS} interleaved rounds, {os.cpu_count()} CPU cores, DEBUG off, "
        f"load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after"
    )
    shares = print_table(rows, queries)
    public = {label: share for label, share in shares.items() if label != "hello world"}
    print(
        "\ntarget: every page above half the hello-world view's requests per second: "
        + ("yes" if min(public.values()) > 0.5 else "NO")
        + f" (lowest {min(public.values()):.0%})"
    )


if __name__ == "__main__":
    main()
