"""The points rollup in SQL: ledger → monthly totals → quarters → years, with ranks.

Each period is replaced by one DELETE and one INSERT … SELECT … GROUP BY, the
rank coming from a window function, so the work is set-based whatever the
number of subjects. Months are summed from the ledger, one month's range of
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

_RANKED = """
SELECT %s, %s, street_id, grid_id, subject_kind, subject_type_id, subject_id, points, entries, last_at,
       ROW_NUMBER() OVER (
           PARTITION BY street_id, subject_kind
           ORDER BY points DESC, last_at ASC, subject_type_id ASC, subject_id ASC
       )
FROM ({grouped}) AS grouped
"""

_FROM_LEDGER = """
SELECT street_id, MAX(grid_id) AS grid_id, subject_kind, subject_type_id, subject_id,
       ROUND(SUM(points), 2) AS points, COUNT(*) AS entries, MAX(occurred_at) AS last_at
FROM {entries}
WHERE occurred_at >= %s AND occurred_at < %s
GROUP BY street_id, subject_kind, subject_type_id, subject_id
"""

_FROM_TOTALS = """
SELECT street_id, MAX(grid_id) AS grid_id, subject_kind, subject_type_id, subject_id,
       ROUND(SUM(points), 2) AS points, SUM(entries) AS entries, MAX(last_at) AS last_at
FROM {totals}
WHERE period_kind = %s AND period_start >= %s AND period_start < %s
GROUP BY street_id, subject_kind, subject_type_id, subject_id
"""


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _dt(value):
    return connection.ops.adapt_datetimefield_value(value)


def _date(value):
    return connection.ops.adapt_datefield_value(value)


def tune_session():
    """Give the rollup's transaction room to hash and sort in memory (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '128MB'")


def replace_month(start, start_at, end_at):
    """Replace the month's totals from the ledger entries in [start_at, end_at).

    Returns (subjects, entries) as written.
    """
    totals = _table(PointsTotal)
    grouped = _FROM_LEDGER.format(entries=_table(PointsEntry))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {totals} WHERE period_kind = %s AND period_start = %s",
            [PeriodKind.MONTH, _date(start)],
        )
        cursor.execute(
            f"INSERT INTO {totals} ({_COLUMNS}) " + _RANKED.format(grouped=grouped),
            [PeriodKind.MONTH, _date(start), _dt(start_at), _dt(end_at)],
        )
        return _written(cursor, PeriodKind.MONTH, start)


def replace_from_children(kind, start, child_kind, child_from, child_until):
    """Replace a quarter's (or year's) totals by summing its months' (or quarters') totals.

    Returns the number of subjects written.
    """
    totals = _table(PointsTotal)
    grouped = _FROM_TOTALS.format(totals=totals)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {totals} WHERE period_kind = %s AND period_start = %s",
            [kind, _date(start)],
        )
        cursor.execute(
            f"INSERT INTO {totals} ({_COLUMNS}) " + _RANKED.format(grouped=grouped),
            [kind, _date(start), child_kind, _date(child_from), _date(child_until)],
        )
        return cursor.rowcount


def _written(cursor, kind, start):
    cursor.execute(
        f"SELECT COUNT(*), COALESCE(SUM(entries), 0) FROM {_table(PointsTotal)} "
        "WHERE period_kind = %s AND period_start = %s",
        [kind, _date(start)],
    )
    subjects, entries = cursor.fetchone()
    return int(subjects), int(entries)


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
