"""The points rollup in SQL: ledger → monthly totals → quarters → years.

Each period's totals are computed by one SELECT … GROUP BY and written by one
statement, so the work is set-based whatever the number of subjects. Months
are summed from the ledger, one month's range of the `points_rollup_idx`
covering index at a time; quarters are summed from their months' totals and
years from their quarters', so a year costs one pass over the ledger plus two
small passes over the totals.

Ranks are not stored: `PointsTotal.objects.with_rank()` reads them from the
leaderboard index. So a subject's new points rewrite its own rows and nobody
else's, and the nightly run costs what changed, not what it shifted.

The SQL is plain enough for PostgreSQL and SQLite.
"""

from django.db import connection

from points.models import PeriodKind, PointsEntry, PointsTotal, SubjectKind

_COLUMNS = (
    "period_kind, period_start, street_id, grid_id, subject_kind, subject_type_id, subject_id, "
    "points, entries, last_at"
)

# The kind of subject follows from its type (points_award refuses a rule of
# another kind), so it is looked up after grouping instead of grouped on.
# Points are summed as doubles, which PostgreSQL adds several times faster
# than numerics, then rounded back to cents: entries carry at most two
# decimals, and a double's error on any sum the ledger can hold (millions of
# entries, totals far below 10^9) stays orders of magnitude under a cent.
_FROM_LEDGER = """
SELECT street_id, MAX(grid_id) AS grid_id, {kind} AS subject_kind, subject_type_id, subject_id,
       ROUND(CAST(SUM(CAST(points AS DOUBLE PRECISION)) AS NUMERIC), 2) AS points,
       COUNT(*) AS entries, MAX(occurred_at) AS last_at
FROM {entries}
WHERE occurred_at >= %(since)s AND occurred_at < %(until)s AND id <= %(until_id)s
GROUP BY street_id, subject_type_id, subject_id
"""

_FROM_TOTALS = """
SELECT street_id, MAX(grid_id) AS grid_id, subject_kind, subject_type_id, subject_id,
       ROUND(SUM(points), 2) AS points, SUM(entries) AS entries, MAX(last_at) AS last_at
FROM {totals}
WHERE period_kind = %(child_kind)s AND period_start >= %(since)s AND period_start < %(until)s
GROUP BY street_id, subject_kind, subject_type_id, subject_id
"""

# PostgreSQL: compare the fresh totals with the stored ones in one full join
# and write only the difference — changed rows updated, new ones inserted,
# vanished ones deleted. The result equals a delete-and-insert, but a re-run
# over an unchanged ledger writes nothing, and a nightly run writes only the
# rows whose points moved. The three writes see the table as it was
# before the statement and touch disjoint rows.
_MERGE = f"""
WITH f AS ({{grouped}}),
old AS (
    SELECT id, street_id, grid_id, subject_kind, subject_type_id, subject_id, points, entries, last_at
    FROM {{totals}} WHERE period_kind = %(kind)s AND period_start = %(start)s
),
d AS (
    SELECT old.id AS old_id, f.subject_id IS NULL AS gone, f.*
    FROM f FULL JOIN old
      ON old.street_id = f.street_id AND old.subject_type_id = f.subject_type_id AND old.subject_id = f.subject_id
    WHERE old.id IS NULL OR f.subject_id IS NULL
       OR (old.grid_id, old.subject_kind, old.points, old.entries, old.last_at)
          IS DISTINCT FROM (f.grid_id, f.subject_kind, f.points, f.entries, f.last_at)
),
updated AS (
    UPDATE {{totals}} AS t
    SET grid_id = d.grid_id, subject_kind = d.subject_kind, points = d.points,
        entries = d.entries, last_at = d.last_at
    FROM d
    WHERE t.period_kind = %(kind)s AND t.period_start = %(start)s AND t.id = d.old_id AND NOT d.gone
    RETURNING 1
),
inserted AS (
    INSERT INTO {{totals}} ({_COLUMNS})
    SELECT %(kind)s, %(start)s, street_id, grid_id, subject_kind, subject_type_id, subject_id,
           points, entries, last_at
    FROM d WHERE d.old_id IS NULL
    RETURNING 1
),
deleted AS (
    DELETE FROM {{totals}} AS t USING d
    WHERE t.period_kind = %(kind)s AND t.period_start = %(start)s AND t.id = d.old_id AND d.gone
    RETURNING 1
)
SELECT (SELECT COUNT(*) FROM f), (SELECT COALESCE(SUM(entries), 0) FROM f),
       (SELECT COUNT(*) FROM updated) + (SELECT COUNT(*) FROM inserted) + (SELECT COUNT(*) FROM deleted)
"""

# Elsewhere (SQLite, the try-out default): delete the period and insert it again.
_INSERT = f"""
INSERT INTO {{totals}} ({_COLUMNS})
SELECT %(kind)s, %(start)s, street_id, grid_id, subject_kind, subject_type_id, subject_id,
       points, entries, last_at
FROM ({{grouped}}) AS f
"""


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _dt(value):
    return connection.ops.adapt_datetimefield_value(value)


def _date(value):
    return connection.ops.adapt_datefield_value(value)


def tune_session():
    """Room to hash and sort in memory for this transaction (PostgreSQL).

    Totals are derived data: should the server crash right after a commit,
    the next run recomputes them, so the commit need not wait for the disk.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '128MB'")
            cursor.execute("SET LOCAL synchronous_commit = off")
            # Compiling these short statements costs more than it saves.
            cursor.execute("SET LOCAL jit = off")


def _replace(kind, start, grouped, params):
    """Make the period's totals equal `grouped`. Returns (subjects, entries, rows written)."""
    totals = _table(PointsTotal)
    params = {**params, "kind": kind, "start": _date(start)}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_MERGE.format(grouped=grouped, totals=totals), params)
            subjects, entries, written = cursor.fetchone()
            return int(subjects), int(entries), int(written)
        cursor.execute(
            f"DELETE FROM {totals} WHERE period_kind = %(kind)s AND period_start = %(start)s", params
        )
        cursor.execute(_INSERT.format(grouped=grouped, totals=totals), params)
        cursor.execute(
            f"SELECT COUNT(*), COALESCE(SUM(entries), 0) FROM {totals} "
            "WHERE period_kind = %(kind)s AND period_start = %(start)s",
            params,
        )
        subjects, entries = cursor.fetchone()
        return int(subjects), int(entries), int(subjects)


def _kind_by_type(column="subject_type_id"):
    """SQL mapping a subject's content type id to its kind, from the models that earn points.

    A type missing here gives NULL, which the totals refuse: a loud failure
    rather than a subject ranked among the wrong kind.
    """
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    earners = [m for m in apps.get_models() if getattr(m, "points_subject_kind", None)]
    types = ContentType.objects.get_for_models(*earners, for_concrete_models=False)
    whens = " ".join(
        f"WHEN {int(ct.pk)} THEN '{SubjectKind(model.points_subject_kind).value}'"
        for model, ct in sorted(types.items(), key=lambda pair: pair[1].pk)
    )
    return f"CASE {column} {whens} END"


def replace_month(start, start_at, end_at, watermark):
    """The month's totals from the ledger entries in [start_at, end_at) up to id `watermark`.

    Returns (subjects, entries, written). The bound keeps an entry that
    commits while the month is read out of these totals: its id is above
    the watermark, so the next nightly run adds it, once.
    """
    grouped = _FROM_LEDGER.format(entries=_table(PointsEntry), kind=_kind_by_type())
    params = {"since": _dt(start_at), "until": _dt(end_at), "until_id": watermark}
    return _replace(PeriodKind.MONTH, start, grouped, params)


def replace_from_children(kind, start, child_kind, child_from, child_until):
    """A quarter's (or year's) totals as the sum of its months' (or quarters') totals."""
    grouped = _FROM_TOTALS.format(totals=_table(PointsTotal))
    params = {"child_kind": child_kind, "since": _date(child_from), "until": _date(child_until)}
    return _replace(kind, start, grouped, params)


def refresh_statistics():
    """After a large rewrite of the totals, let the planner see their new size (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {_table(PointsTotal)}")


def ledger_state(start_at, end_at):
    """(entries, highest entry id) of the ledger in [start_at, end_at): one index-only scan."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), COALESCE(MAX(id), 0) FROM {_table(PointsEntry)} "
            "WHERE occurred_at >= %s AND occurred_at < %s",
            [_dt(start_at), _dt(end_at)],
        )
        count, highest = cursor.fetchone()
    return int(count), int(highest)


def highest_entry_id():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {_table(PointsEntry)}")
        return int(cursor.fetchone()[0])


# --- the nightly run, proportional to what changed ------------------------------------------------
#
# Only the entries booked since the month's last rollup (ids above its
# watermark) are read: summed per subject once, and added to that subject's
# month, quarter and year rows, each period by one upsert. Nobody else's rows
# are read or written (ranks are read, not stored), and no older entry is
# read again. The result equals a full recompute of the month (see
# tests/points/test_rollup_changes.py): entries carry at most two decimals,
# so adding sums is exact, and a total's grid and last entry are maxima. The
# service falls back to the full recompute when the ledger changed in another
# way (an entry that committed late, below the watermark). ROUND: SQLite keeps
# decimals as floats, and 2.2 + 0.6 is 2.8000000000000003 there.

_NEW_BY_SUBJECT = """
SELECT street_id, MAX(grid_id) AS grid_id, {kind_sql} AS subject_kind, subject_type_id, subject_id,
       ROUND(CAST(SUM(CAST(points AS DOUBLE PRECISION)) AS NUMERIC), 2) AS points,
       COUNT(*) AS entries, MAX(occurred_at) AS last_at
FROM {entries}
WHERE id > %(since_id)s AND id <= %(until_id)s AND occurred_at >= %(since)s AND occurred_at < %(until)s
GROUP BY street_id, subject_type_id, subject_id
"""

_ADD = f"""
INSERT INTO {{totals}} ({_COLUMNS})
SELECT %(kind)s, %(start)s, street_id, grid_id, subject_kind, subject_type_id, subject_id,
       points, entries, last_at
FROM ({{new}}) AS n
WHERE true
ON CONFLICT (subject_type_id, subject_id, period_kind, period_start, street_id) DO UPDATE
SET grid_id = {{greatest}}({{totals}}.grid_id, excluded.grid_id),
    points = ROUND({{totals}}.points + excluded.points, 2),
    entries = {{totals}}.entries + excluded.entries,
    last_at = {{greatest}}({{totals}}.last_at, excluded.last_at)
"""


def ledger_count(start_at, end_at, since_id, until_id):
    """Entries of [start_at, end_at) with since_id < id <= until_id: one index-only scan."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {_table(PointsEntry)} "
            "WHERE occurred_at >= %s AND occurred_at < %s AND id > %s AND id <= %s",
            [_dt(start_at), _dt(end_at), since_id, until_id],
        )
        return int(cursor.fetchone()[0])


def update_changed(periods, start_at, end_at, since_id, until_id):
    """Add the entries of [start_at, end_at) with since_id < id <= until_id to their subjects' totals.

    `periods` is [(kind, start)]: the month, its quarter and its year.
    Returns the number of rows written.
    """
    totals, entries = _table(PointsTotal), _table(PointsEntry)
    new = _NEW_BY_SUBJECT.format(entries=entries, kind_sql=_kind_by_type())
    # The WHERE in _ADD tells SQLite's parser that ON CONFLICT belongs to the INSERT.
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    add = _ADD.format(totals=totals, new=new, greatest=greatest)
    base = {"since": _dt(start_at), "until": _dt(end_at), "since_id": since_id, "until_id": until_id}
    written = 0
    with connection.cursor() as cursor:
        for kind, start in periods:
            cursor.execute(add, {**base, "kind": kind, "start": _date(start)})
            written += max(cursor.rowcount, 0)
    return written
