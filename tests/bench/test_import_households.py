"""bench/import_households.py still runs (its tiny mode, in the test database, without timing anything)."""

import io

from bench.import_households import run_tiny


def test_the_import_bench_runs_both_paths_on_a_tiny_street(db):
    out = io.StringIO()
    results = run_tiny(rows=60, out=out)
    assert results["default"]["rows"] == results["tuned"]["rows"] == 60
    assert results["default"]["digest"] == results["tuned"]["digest"]
    assert results["tuned"]["tree_ok"] and results["tuned"]["previewed_new"] == 60
    assert "tuned" in out.getvalue()
