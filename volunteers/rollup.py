"""The points rollup in SQL: ledger → monthly totals → quarters → years, with ranks.

Each period's totals are computed by one SELECT … GROUP BY, the rank coming
from a window function, and written by one statement, so the work is
set-based whatever the number of subjects. Months are summed from the ledger, one month's range of
the `points_rollup_idx` covering index at a time; quarters are summed from
their months' totals and years from their quarters', so a year costs one pass
over the ledger plus two small passes over the totals.

Rank, inside each street and kind of subject: more points first; on equal
points, whoever reached the total earlier (the earlier last entry) first; then
the lower subject type and id. The order is total, so a re-run gives the same
ranks, and no two subjects of a street share one.

The SQL is plain enough for PostgreSQL and SQLite (≥ 3.25, window functions).
"""

from django.db import connection

from volunteers.models import PeriodKind, PointsEntry, PointsTotal

_COLUMNS = (
    "period_kind, period_start, street_id, grid_id, subject_kind, subject_type_id, subject_id, "
    "points, entries, last_at, rank"
)

# One row per subject of the period, ranked: the content of the period's totals.
_RANKED = """
SELECT street_id, grid_id, subject_kind, subject_type_id, subject_id, points, entries, last_at,
       ROW_NUMBER() OVER (
           PARTITION BY street_id, subject_kind
           ORDER BY points DESC, last_at ASC, subject_type_id ASC, subject_id ASC
       ) AS rank
FROM ({grouped}) AS grouped
"""

_FROM_LEDGER = """
SELECT street_id, MAX(grid_id) AS grid_id, subject_kind, subject_type_id, subject_id,
       ROUND(SUM(points), 2) AS points, COUNT(*) AS entries, MAX(occurred_at) AS last_at
FROM {entries}
WHERE occurred_at >= %(since)s AND occurred_at < %(until)s
GROUP BY street_id, subject_kind, subject_type_id, subject_id
"""

_FROM_TOTALS = """
SELECT street_id, MAX(grid_id) AS grid_id, subject_kind, subject_type_id, subject_id,
       ROUND(SUM(points), 2) AS points, SUM(entries) AS entries, MAX(last_at) AS last_at
FROM {totals}
WHERE period_kind = %(child_kind)s AND period_start >= %(since)s AND period_start < %(until)s
GROUP BY street_id, subject_kind, subject_type_id, subject_id
"""

_SAME_ROW = (
    "t.period_kind = %(kind)s AND t.period_start = %(start)s AND t.street_id = f.street_id "
    "AND t.subject_type_id = f.subject_type_id AND t.subject_id = f.subject_id"
)

# PostgreSQL: compare the fresh totals with the stored ones and write only the
# difference — changed rows updated, new ones inserted, vanished ones deleted —
# in one statement. The result equals a delete-and-insert, but a re-run over
# an unchanged ledger writes nothing, and a nightly run writes only the rows
# whose points or rank moved. All three parts see the table as it was before
# the statement, so they never touch the same row.
_MERGE = f"""
WITH f AS ({{ranked}}),
updated AS (
    UPDATE {{totals}} AS t
    SET grid_id = f.grid_id, subject_kind = f.subject_kind, points = f.points,
        entries = f.entries, last_at = f.last_at, rank = f.rank
    FROM f
    WHERE {_SAME_ROW}
      AND (t.grid_id, t.subject_kind, t.points, t.entries, t.last_at, t.rank)
          IS DISTINCT FROM (f.grid_id, f.subject_kind, f.points, f.entries, f.last_at, f.rank)
    RETURNING 1
),
inserted AS (
    INSERT INTO {{totals}} ({_COLUMNS})
    SELECT %(kind)s, %(start)s, street_id, grid_id, subject_kind, subject_type_id, subject_id,
           points, entries, last_at, rank
    FROM f
    WHERE NOT EXISTS (SELECT 1 FROM {{totals}} AS t WHERE {_SAME_ROW})
    RETURNING 1
),
deleted AS (
    DELETE FROM {{totals}} AS t
    WHERE t.period_kind = %(kind)s AND t.period_start = %(start)s
      AND NOT EXISTS (SELECT 1 FROM f WHERE {_SAME_ROW})
    RETURNING 1
)
SELECT (SELECT COUNT(*) FROM f), (SELECT COALESCE(SUM(entries), 0) FROM f),
       (SELECT COUNT(*) FROM updated) + (SELECT COUNT(*) FROM inserted) + (SELECT COUNT(*) FROM deleted)
"""

# Elsewhere (SQLite, the try-out default): delete the period and insert it again.
_INSERT = f"""
INSERT INTO {{totals}} ({_COLUMNS})
SELECT %(kind)s, %(start)s, street_id, grid_id, subject_kind, subject_type_id, subject_id,
       points, entries, last_at, rank
FROM ({{ranked}}) AS f
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


def _replace(kind, start, grouped, params):
    """Make the period's totals equal `grouped`, ranked. Returns (subjects, entries, rows written)."""
    totals = _table(PointsTotal)
    ranked = _RANKED.format(grouped=grouped)
    params = {**params, "kind": kind, "start": _date(start)}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_MERGE.format(ranked=ranked, totals=totals), params)
            subjects, entries, written = cursor.fetchone()
            return int(subjects), int(entries), int(written)
        cursor.execute(
            f"DELETE FROM {totals} WHERE period_kind = %(kind)s AND period_start = %(start)s", params
        )
        cursor.execute(_INSERT.format(ranked=ranked, totals=totals), params)
        cursor.execute(
            f"SELECT COUNT(*), COALESCE(SUM(entries), 0) FROM {totals} "
            "WHERE period_kind = %(kind)s AND period_start = %(start)s",
            params,
        )
        subjects, entries = cursor.fetchone()
        return int(subjects), int(entries), int(subjects)


def replace_month(start, start_at, end_at):
    """The month's totals from the ledger entries in [start_at, end_at): (subjects, entries, written)."""
    grouped = _FROM_LEDGER.format(entries=_table(PointsEntry))
    return _replace(PeriodKind.MONTH, start, grouped, {"since": _dt(start_at), "until": _dt(end_at)})


def replace_from_children(kind, start, child_kind, child_from, child_until):
    """A quarter's (or year's) totals as the sum of its months' (or quarters') totals."""
    grouped = _FROM_TOTALS.format(totals=_table(PointsTotal))
    params = {"child_kind": child_kind, "since": _date(child_from), "until": _date(child_until)}
    return _replace(kind, start, grouped, params)


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
