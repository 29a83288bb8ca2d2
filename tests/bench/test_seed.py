"""bench/seed.py still runs on the current schema (its --tiny mode, without timing anything)."""

import io

from bench.seed import run_tiny


def test_the_seed_bench_counts_its_tables_on_a_tiny_world(db):
    out = io.StringIO()
    row = run_tiny(out=out)
    profile, _fresh, _again, nodes, households, _residents, visits, logins = row
    assert profile == "tiny"
    assert nodes == 3 and households == 1 and visits == 1 and logins >= 5
    assert "households" in out.getvalue()
