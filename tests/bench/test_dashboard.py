"""bench/dashboard.py still runs on the current schema (its --tiny mode, without timing anything)."""

import io

from bench.dashboard import run_tiny


def test_the_dashboard_bench_runs_on_a_tiny_world(db):
    out = io.StringIO()
    labels = run_tiny(out=out)
    table = out.getvalue()
    assert labels == ["street staff", "secretary", "superuser"]
    for label in labels:
        assert label in table
