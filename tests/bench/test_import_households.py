"""bench/import_households.py still runs on the current schema (its --tiny mode, without timing anything)."""

import io

from bench.import_households import run_tiny


def test_the_import_bench_runs_both_paths_on_a_tiny_sheet(db):
    out = io.StringIO()
    default, tuned = run_tiny(out=out)
    assert default["rows"] == tuned["rows"] == 48
    assert default["digest"] == tuned["digest"]
    assert default["tree_ok"] and tuned["tree_ok"]
    assert "tuned is" in out.getvalue()
