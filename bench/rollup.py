"""Benchmark of the points rollup on PostgreSQL.

    .venv/bin/python bench/rollup.py [--entries 10000000] [--subjects 100000] [--regenerate]

Loads (once; --regenerate to redo) a ledger of 10 million entries for 100,000
subjects spread over the twelve months of last year into the database
portal_volunteers_bench (or DATABASE_URL, which must name a *_bench* database),
with COPY. Then, in one run, it times:

- the rollup's full-year recompute (12 months, 4 quarters, the year),
- a bare GROUP BY of the same entries by subject and month, nothing written,
- a naive loop over subjects (a query per subject, rows saved one by one), on a
  sample of subjects, scaled to all of them,
- the recompute of one month (~1M entries) with its quarter and year, the
  nightly run (only the subjects with new entries) beside the full recompute
  it replaces, and the nightly job's check of whether a month changed,
- what reading ranks costs, since they are counted on read: a street's top 10,
  the rank of the last subject of the largest street, and a late page of the
  admin's totals list.

Each timing is the median of --repeat runs; the table shows the ratios.
"""

import argparse
import datetime
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_volunteers_bench"

STREETS = 10
COMMUNITIES_PER_STREET = 10
UNIT_SHARE = 0.05  # of subjects: member units; the rest are persons
CHUNK = 500_000


def _ensure_database(url):
    import psycopg2
    from psycopg2 import sql

    name = url.rsplit("/", 1)[1]
    if "_bench" not in name:
        sys.exit(f"refusing to use {name}: the benchmark only runs on a *_bench* database")
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def _setup_django():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _streets():
    from grids import services
    from grids.models import Grid

    streets = []
    for s in range(1, STREETS + 1):
        street = Grid.objects.filter(code=f"B{s:02d}").first()
        if street is None:
            street = services.grid_create(name=f"基准{s}街道", code=f"B{s:02d}", kind=Grid.Kind.STREET)
            for c in range(1, COMMUNITIES_PER_STREET + 1):
                services.grid_create(
                    name=f"基准{s}-{c}社区",
                    code=f"B{s:02d}-C{c:02d}",
                    kind=Grid.Kind.COMMUNITY,
                    parent=street,
                )
        communities = list(
            Grid.objects.filter(parent__code=f"B{s:02d}").order_by("code").values_list("pk", flat=True)
        )
        streets.append((Grid.objects.get(code=f"B{s:02d}").pk, communities))
    return streets


def _ids():
    from django.contrib.contenttypes.models import ContentType

    from alliances.models import MemberUnit
    from points.models import PointsRule
    from volunteers.models import ServiceRecord, Volunteer

    return {
        "person": ContentType.objects.get_for_model(Volunteer).pk,
        "unit": ContentType.objects.get_for_model(MemberUnit).pk,
        "source": ContentType.objects.get_for_model(ServiceRecord).pk,
        "person_rule": PointsRule.objects.get(code="activity_hour").pk,
        "unit_rule": PointsRule.objects.get(code="meeting_attended").pk,
    }


def _year_bounds(year):
    from django.utils import timezone

    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
    return start, end


def _secondary_indexes(cursor, table):
    """Indexes that no constraint owns: dropped for the load, rebuilt after it."""
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
        "WHERE t.relname = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)",
        [table],
    )
    return cursor.fetchall()


def _generate(entries, subjects, year):
    """COPY `entries` rows into an empty ledger, indexes dropped first and rebuilt after."""
    from django.db import connection

    from points.models import PointsEntry, PointsPeriod, PointsTotal

    table = PointsEntry._meta.db_table
    streets, ids = _streets(), _ids()
    rng = random.Random(year)
    units = int(subjects * UNIT_SHARE)
    # Each subject lives in one community; a few are far more active than the rest.
    home = [(streets[s % STREETS][0], rng.choice(streets[s % STREETS][1])) for s in range(subjects)]
    weights = [rng.choice((1, 1, 1, 2, 2, 3, 5, 10)) for _ in range(subjects)]
    start, end = _year_bounds(year)
    # Entries fall on whole minutes: their timestamps are formatted once, not per row.
    minutes = [
        (start + datetime.timedelta(minutes=m)).isoformat()
        for m in range(int((end - start).total_seconds() // 60))
    ]
    unit_head = f"{ids['unit_rule']}\tunit\t{ids['unit']}\t"
    person_head = f"{ids['person_rule']}\tperson\t{ids['person']}\t"
    columns = (
        "rule_id, subject_kind, subject_type_id, subject_id, subject_label, street_id, grid_id, "
        "source_type_id, source_id, quantity, points, occurred_at, created_at, note"
    )
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        # SQLite, or inside a transaction (the tiny mode under the tests): indexes cannot be rebuilt
        # with trigger events pending, nor VACUUM run, so the ledger goes in through the ORM.
        _generate_portable(entries, subjects, rng, home, weights, minutes, ids, units)
        return
    with connection.cursor() as cursor:
        PointsTotal.objects.all().delete()
        PointsPeriod.objects.all().delete()
        cursor.execute(f"TRUNCATE {table} RESTART IDENTITY CASCADE")
        indexes = _secondary_indexes(cursor, table)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        made, started = 0, time.monotonic()
        while made < entries:
            size = min(CHUNK, entries - made)
            picks = rng.choices(range(subjects), weights=weights, k=size)
            whens = rng.choices(minutes, k=size)
            hours_list = rng.choices((1, 1.5, 2, 2, 3, 4), k=size)
            buffer = io.StringIO()
            write = buffer.write
            for offset in range(size):
                subject = picks[offset]
                street, grid = home[subject]
                when = whens[offset]
                if subject < units:
                    head, hours, points = unit_head, 1, 3
                else:
                    hours = hours_list[offset]
                    head, points = person_head, hours * 2
                write(
                    f"{head}{subject + 1}\tS{subject + 1}\t{street}\t{grid}\t{ids['source']}\t"
                    f"{made + offset + 1}\t{hours:.2f}\t{points:.2f}\t{when}\t{when}\t\n"
                )
            buffer.seek(0)
            cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
            made += size
            print(f"  copied {made:,} entries ({time.monotonic() - started:.0f} s)", flush=True)
        print("  rebuilding indexes …", flush=True)
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute(f"VACUUM ANALYZE {table}")


def _generate_portable(entries, subjects, rng, home, weights, minutes, ids, units):
    """The same ledger through the ORM (the tiny mode, on SQLite or inside the tests' transaction)."""
    from points.models import PointsEntry, PointsPeriod, PointsTotal

    PointsTotal.objects.all().delete()
    PointsPeriod.objects.all().delete()
    PointsEntry.objects.all().delete()
    picks = rng.choices(range(subjects), weights=weights, k=entries)
    rows = []
    for offset, subject in enumerate(picks):
        street, grid = home[subject]
        unit = subject < units
        hours = 1 if unit else rng.choice((1, 1.5, 2, 2, 3, 4))
        when = datetime.datetime.fromisoformat(rng.choice(minutes))
        rows.append(
            PointsEntry(
                rule_id=ids["unit_rule" if unit else "person_rule"],
                subject_kind="unit" if unit else "person",
                subject_type_id=ids["unit" if unit else "person"],
                subject_id=subject + 1,
                subject_label=f"S{subject + 1}",
                street_id=street,
                grid_id=grid,
                source_type_id=ids["source"],
                source_id=offset + 1,
                quantity=hours,
                points=3 if unit else hours * 2,
                occurred_at=when,
                created_at=when,
            )
        )
    PointsEntry.objects.bulk_create(rows, batch_size=1000)


def _timed(fn):
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _bare_group_by(year):
    from django.db import connection, transaction

    start, end = _year_bounds(year)
    if connection.vendor != "postgresql":
        from django.db.models import Count
        from django.db.models.functions import TruncMonth

        from points.models import PointsEntry

        return (
            PointsEntry.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
            .annotate(month=TruncMonth("occurred_at"))
            .values("subject_type_id", "subject_id", "month")
            .annotate(n=Count("pk"))
            .count()
        )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '128MB'")  # the rollup's own setting, for a fair race
        cursor.execute(
            # Summing the sums makes PostgreSQL compute them (it drops unused aggregates).
            "SELECT COUNT(*), SUM(points) FROM (SELECT subject_type_id, subject_id, "
            "date_trunc('month', occurred_at AT TIME ZONE 'Asia/Shanghai') AS month, SUM(points) AS points "
            "FROM points_pointsentry WHERE occurred_at >= %s AND occurred_at < %s "
            "GROUP BY 1, 2, 3) AS totals",
            [start, end],
        )
        return cursor.fetchone()[0]


class _Rollback(Exception):
    pass


def _naive(year, sample, subjects_total, seed=0):
    """What a loop over subjects costs: a query per subject, then each total saved by itself."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.db.models import Count, Max, Sum
    from django.db.models.functions import TruncMonth

    from points.models import PointsEntry, PointsTotal

    start, end = _year_bounds(year)
    ids = _ids()
    units = int(subjects_total * UNIT_SHARE)
    chosen = random.Random(seed).sample(range(1, subjects_total + 1), sample)
    subjects = []
    for subject_id in chosen:
        type_id = ids["unit"] if subject_id <= units else ids["person"]
        first = (
            PointsEntry.objects.filter(subject_type_id=type_id, subject_id=subject_id)
            .values_list("subject_kind", "street_id", "grid_id")
            .first()
        )
        if first:
            subjects.append((type_id, subject_id, *first))
    types = {pk: ContentType.objects.get_for_id(pk) for pk in {s[0] for s in subjects}}
    started = time.perf_counter()
    try:
        with transaction.atomic():
            for type_id, subject_id, kind, street_id, grid_id in subjects:
                months = (
                    PointsEntry.objects.filter(
                        subject_type_id=type_id,
                        subject_id=subject_id,
                        occurred_at__gte=start,
                        occurred_at__lt=end,
                    )
                    .annotate(month=TruncMonth("occurred_at"))
                    .values("month")
                    .annotate(points=Sum("points"), entries=Count("pk"), last_at=Max("occurred_at"))
                )
                periods = {}
                for row in months:
                    month = row["month"].date()
                    quarter = datetime.date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
                    for key in (
                        ("month", month),
                        ("quarter", quarter),
                        ("year", datetime.date(month.year, 1, 1)),
                    ):
                        total = periods.setdefault(key, [0, 0, row["last_at"]])
                        total[0] += row["points"]
                        total[1] += row["entries"]
                        total[2] = max(total[2], row["last_at"])
                for (kind_name, period_start), (points, entries, last_at) in periods.items():
                    PointsTotal.objects.create(
                        period_kind=kind_name,
                        period_start=period_start,
                        street_id=street_id,
                        grid_id=grid_id,
                        subject_kind=kind,
                        subject_type=types[type_id],
                        subject_id=subject_id + 10**12,  # never collides with the real totals
                        points=points,
                        entries=entries,
                        last_at=last_at,
                    )
            raise _Rollback
    except _Rollback:
        pass
    return time.perf_counter() - started, len(subjects)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=1_000, help="subjects in the naive loop")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--new-entries", type=int, default=10_000, help="booked before the nightly timing")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--tiny", action="store_true", help="a tiny throwaway ledger: does it still run?")
    args = parser.parse_args()
    if args.tiny:
        from bench.tiny import standalone

        standalone(run_tiny)
        return

    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "1")
    url = os.environ["DATABASE_URL"]
    _ensure_database(url)
    _setup_django()
    run(args.entries, args.subjects, args.sample, args.repeat, args.new_entries, args.regenerate)


def run_tiny(out=sys.stdout):
    """A ledger of 2,000 entries for 60 subjects in the current database, one round; returns the rows."""
    import contextlib

    with contextlib.redirect_stdout(out):
        return run(entries=2000, subjects=60, sample=10, repeat=1, new_entries=50, regenerate=True)


def run(entries, subjects, sample, repeat, new_entries, regenerate):
    """Generate the ledger if needed, time every step in rounds and print the table; returns its rows."""
    from django.utils import timezone

    from points import rollup
    from points.models import PointsEntry
    from points.services import points_rollup
    from portal.months import next_month

    year = timezone.localdate().year - 1
    present = PointsEntry.objects.count()
    if regenerate or present != entries:
        print(f"generating {entries:,} entries for {subjects:,} subjects in {year} …", flush=True)
        _generate(entries, subjects, year)
    months = [datetime.date(year, m, 1) for m in range(1, 13)]
    june = datetime.date(year, 6, 1)
    june_entries = PointsEntry.objects.filter(
        occurred_at__gte=timezone.make_aware(datetime.datetime(year, 6, 1)),
        occurred_at__lt=timezone.make_aware(datetime.datetime(year, 7, 1)),
    ).count()

    print("first fill …", flush=True)
    first = _first_fill(months)
    _bare_group_by(year)  # warm the cache for it too

    print("timing …", flush=True)
    # Rounds, each step once per round, so that a burst of load from elsewhere
    # on the machine falls on every step alike; the table shows medians.
    june_range = (
        timezone.make_aware(datetime.datetime(year, 6, 1)),
        timezone.make_aware(datetime.datetime.combine(next_month(june), datetime.time())),
    )
    names = ("full", "bare", "month", "nightly", "changes", "small", "check", "naive", "top", "last", "page")
    small_batch = max(new_entries // 10, 1)
    times = {name: [] for name in names}
    sampled = 0
    for round_number in range(1, repeat + 1):
        times["full"].append(_timed(lambda: points_rollup(months=months)))
        times["bare"].append(_timed(lambda: _bare_group_by(year)))
        times["month"].append(_timed(lambda: points_rollup(months=[june])))
        times["nightly"].append(_nightly(june, new_entries))
        times["changes"].append(_nightly(june, new_entries, changes_only=True))
        times["small"].append(_nightly(june, small_batch, changes_only=True))
        times["check"].append(_timed(lambda: rollup.ledger_state(*june_range)))
        naive_sample, sampled = _naive(year, sample, subjects, seed=round_number)
        times["naive"].append(naive_sample * subjects / max(sampled, 1))
        for name, seconds in zip(("top", "last", "page"), _rank_reads(june), strict=True):
            times[name].append(seconds)
        print(
            f"  round {round_number}: " + ", ".join(f"{k} {v[-1]:.2f}" for k, v in times.items()), flush=True
        )
    full, bare, month, nightly, changes, small, check, naive, top, last, page = (
        statistics.median(times[k]) for k in names
    )
    groups = _bare_group_by(year)

    rows = [
        ("bare GROUP BY subject, month (no writes)", bare, f"{groups:,} groups"),
        ("rollup: full-year recompute", full, f"{full / bare:.2f}× the bare GROUP BY"),
        (
            f"naive per-subject loop ({sampled:,} sampled, scaled)",
            naive,
            f"{naive / full:.0f}× the rollup's time",
        ),
        (f"rollup: one month ({june_entries:,} entries)", month, "month unchanged: quarter, year stand"),
        (
            f"full recompute: month + quarter + year after {new_entries:,} new entries",
            nightly,
            "what the nightly run did before",
        ),
        (
            f"nightly: the changed subjects only, after {new_entries:,} new entries",
            changes,
            f"{nightly / changes:.1f}× faster than the full recompute" if changes else "",
        ),
        (
            f"nightly: the changed subjects only, after {small_batch:,} new entries",
            small,
            f"{small / changes:.2f}× the time for {new_entries:,}" if changes else "",
        ),
        ("nightly check: has a month changed?", check, "one index-only scan"),
        ("ranks read: a street's top 10 (the leaderboard)", top, "rank = place in the index order"),
        ("rank read: the last subject of the largest street (/me/)", last, "counts the rows ahead"),
        ("ranks read: a late page of 100 totals (the admin)", page, "one count to the page, then the page"),
        ("rollup: full year into empty totals (first run)", first, f"{first / bare:.2f}× the bare GROUP BY"),
    ]
    print()
    print(
        f"{_server_version()}, {PointsEntry.objects.count():,} ledger entries, "
        f"{subjects:,} subjects, 12 months of {year}"
    )
    print(f"median of {repeat} rounds; {os.cpu_count()} CPU cores; load average now {_load()} (1, 5, 15 min)")
    print()
    width = max(len(r[0]) for r in rows)
    print(f"| {'step'.ljust(width)} | {'seconds':>8} | note")
    print(f"|{'-' * (width + 2)}|{'-' * 10}|{'-' * 40}")
    for label, seconds, note in rows:
        print(f"| {label.ljust(width)} | {seconds:8.3f} | {note}")
    print()
    print(
        f"targets: full year within 1.5× the bare GROUP BY: {'yes' if full <= 1.5 * bare else 'NO'}; "
        f"at least 50× faster than the naive loop: {'yes' if naive >= 50 * full else 'NO'}; "
        f"one month under 1 s: {'yes' if month < 1.0 else 'NO'}; "
        f"the nightly run under 1 s: {'yes' if changes < 1.0 else 'NO'}; "
        f"every rank read under 0.3 s: {'yes' if max(top, last, page) < 0.3 else 'NO'}"
    )
    return rows


def _rank_reads(month):
    """Seconds to read ranks as the leaderboard, /me/ and the admin's totals list do."""
    from django.db.models import Count

    from points.models import PeriodKind, PointsTotal, SubjectKind
    from points.selectors import leaderboard
    from portal.scoping import grid_model

    totals = PointsTotal.objects.filter(
        period_kind=PeriodKind.MONTH, period_start=month, subject_kind=SubjectKind.PERSON
    )
    largest = (
        totals.values("street_id").annotate(n=Count("*")).order_by("-n").values_list("street_id", flat=True)
    ).first()
    street = grid_model().objects.get(pk=largest)
    in_street = totals.filter(street=street).order_by(*PointsTotal.RANK_ORDER)
    last_pk = in_street.reverse().values_list("pk", flat=True).first()
    top = _timed(lambda: leaderboard(street, PeriodKind.MONTH, month, SubjectKind.PERSON, 10))
    last = _timed(lambda: PointsTotal.objects.filter(pk=last_pk).with_rank().get().rank)
    late = max(in_street.count() - 150, 0)
    page = _timed(lambda: PointsTotal.objects.set_ranks(in_street[late : late + 100]))
    return top, last, page


def _first_fill(months):
    from django.db import connection

    from points.models import PointsPeriod, PointsTotal
    from points.services import points_rollup

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {PointsTotal._meta.db_table}, {PointsPeriod._meta.db_table}")
    else:
        PointsTotal.objects.all().delete()
        PointsPeriod.objects.all().delete()
    started = time.perf_counter()
    points_rollup(months=months)
    elapsed = time.perf_counter() - started
    _vacuum()
    return elapsed


def _vacuum():
    """What autovacuum does in production (it is off on the benchmark server): keep scans index-only."""
    from django.db import connection

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE points_pointsentry, points_pointstotal")


def _nightly(month, count, changes_only=False):
    """Book `count` new entries into the month, roll it up, then take them out again (bench only).

    `changes_only`: the nightly service (the subjects with new entries only)
    instead of the month's full recompute.
    """
    from django.utils import timezone

    from points.models import PointsEntry
    from points.services import points_rollup
    from portal.months import next_month

    start = timezone.make_aware(datetime.datetime(month.year, month.month, 1))
    end = timezone.make_aware(datetime.datetime.combine(next_month(month), datetime.time()))
    highest = PointsEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    # Copies of entries of the month, as new sources, a few hours later (still in the month).
    last = end - datetime.timedelta(seconds=1)
    copies = []
    for entry in PointsEntry.objects.filter(occurred_at__gte=start, occurred_at__lt=end).order_by("pk")[
        :count
    ]:
        entry.pk = None
        entry.source_id += 1_000_000_000
        entry.occurred_at = min(entry.occurred_at + datetime.timedelta(hours=3), last)
        entry.created_at = timezone.now()
        entry.note = "bench"
        copies.append(entry)
    PointsEntry.objects.bulk_create(copies, batch_size=5000)
    from points.services import points_rollup_changes

    started = time.perf_counter()
    if changes_only:
        result = points_rollup_changes(month=month)
        assert result.changes_only, "the nightly run fell back to a full recompute"
    else:
        points_rollup(months=[month])
    elapsed = time.perf_counter() - started
    PointsEntry.objects.filter(pk__gt=highest).delete()
    points_rollup(months=[month])
    _vacuum()
    return elapsed


def _server_version():
    from django.db import connection

    if connection.vendor != "postgresql":
        return f"{connection.display_name} (tiny mode: the numbers mean nothing)"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return "PostgreSQL " + cursor.fetchone()[0].split()[0]


def _load():
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


if __name__ == "__main__":
    main()
