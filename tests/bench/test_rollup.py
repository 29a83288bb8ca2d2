"""bench/rollup.py still runs on the current schema (its --tiny mode, without timing anything)."""

import io

from bench.rollup import run_tiny


def test_the_rollup_bench_runs_on_a_tiny_ledger(db):
    out = io.StringIO()
    rows = run_tiny(out=out)
    labels = [label for label, _seconds, _note in rows]
    assert any(label.startswith("rollup: one month") for label in labels)
    assert any(label.startswith("nightly: the changed subjects only") for label in labels)
    assert "targets:" in out.getvalue()
