"""bench/todo.py still runs on the current schema (its --tiny mode, without timing anything)."""

import io

from bench.todo import LOGINS, run_tiny


def test_the_todo_bench_runs_on_a_tiny_world(db):
    out = io.StringIO()
    rows = run_tiny(out=out)
    table = out.getvalue()
    assert set(rows) == {label for label, _login in LOGINS}
    for label, _login in LOGINS:
        assert label in table
    # every role has something to do in the tiny world, so each provider ran
    assert all(row["items"] > 0 for row in rows.values())
    assert all(row["sql_page"] > 0 for row in rows.values())
