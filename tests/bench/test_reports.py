"""bench/reports.py still runs on the current schema (its --tiny mode, without timing anything)."""

import io

from bench.reports import run_tiny


def test_the_reports_bench_runs_on_a_tiny_world(db):
    out = io.StringIO()
    measured = run_tiny(out=out)
    assert len(measured["chosen"]) == 1
    assert measured["workbook"]
    assert "per report, all" in out.getvalue()
    assert "SQL queries per report" in out.getvalue()
