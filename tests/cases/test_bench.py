"""bench/cases.py still runs on the current schema (its --tiny mode, without timing anything)."""

import io

from bench.cases import run_tiny


def test_the_cases_bench_runs_on_a_tiny_world(db):
    out = io.StringIO()
    rows = run_tiny(out=out)
    table = out.getvalue()
    for name in ("queue, page 1", "queue, page 20", "responder, live", "stats page", "overdue job, 2+2 due"):
        assert name in table
    # The queue costs the same queries on every page; the job marked what was made due.
    assert rows["queue, page 1"]["sql"] == rows["queue, page 20"]["sql"]
    assert rows["responder, live"]["sql"] == rows["responder, all"]["sql"]
    assert "marked 2+2" in rows["overdue job, 2+2 due"]["note"]
    assert rows["stats, one street-month"]["sql"] == 2
