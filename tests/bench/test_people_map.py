"""bench/people_map.py still runs on the current schema (its --tiny mode, without timing anything)."""

import io

from bench.people_map import run_tiny


def test_the_people_map_bench_runs_on_a_tiny_world(db):
    out = io.StringIO()
    rows = run_tiny(out=out)
    table = out.getvalue()
    assert [row["label"] for row in rows] == ["grid worker", "secretary", "street staff", "grid worker"]
    assert all(row["cells"] == row["households"] > 0 for row in rows)
    # the small grid's page costs the same queries as the larger one's
    assert len({row["queries"] for row in rows if row["label"] == "grid worker"}) == 1
    assert "pm_gridworker_small" in table
