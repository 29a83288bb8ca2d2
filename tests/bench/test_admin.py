"""bench/admin.py still runs on the current schema (its --tiny mode, without timing anything)."""

import io

from bench.admin import changelists, run_tiny


def test_the_admin_bench_opens_every_list_for_every_role_on_a_tiny_world(db):
    out = io.StringIO()
    rows = run_tiny(out=out)
    labels = {label for label, _url, _admin in changelists()}
    assert {row[0] for row in rows} == labels
    # every list opens for the superuser, in every case, and each case counts its queries
    for label in labels:
        cases = [row for row in rows if row[0] == label and row[1] == "superuser"]
        assert [row[6] for row in cases] == [200] * len(cases), label
        assert cases and all(row[5] > 0 for row in cases), label
    assert "grids.visit" in out.getvalue()
