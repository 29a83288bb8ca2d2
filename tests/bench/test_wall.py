"""bench/wall.py still runs on the current schema (its --tiny mode, without timing anything).

Its district is built through the models, so a column added to a table can no
longer break it the way raw SQL did; this test fails the build if it does.
"""

import io

from bench.wall import TINY, run_tiny
from grids.models import Household
from wishes.models import Claim, Wish, WishEvent


def test_the_wall_bench_fills_a_tiny_district_and_requests_every_page(db):
    out = io.StringIO()
    shares = run_tiny(out=out)
    assert set(shares) == {"hello world", "/wishes/ (wall)", "/wishes/new/ (form)", "/wishes/track/CODE/"}
    households = TINY.streets * TINY.communities_per_street * TINY.grids_per_community
    households *= TINY.buildings_per_grid * TINY.households_per_building
    assert Household.objects.count() == households
    assert Wish.objects.count() == TINY.wishes
    assert Claim.objects.exists() and WishEvent.objects.exists()
    for label in shares:
        assert label in out.getvalue()
