"""The access vocabulary every app's checks are written in: node_of, staff_over, visible."""

from django.db.models import Q

from grids.models import Household, Visit
from portal.access import node_of, staff_over, visible
from tests.factories import VisitFactory


def test_node_of_follows_the_scope_field_to_the_grid_node(world):
    visit = VisitFactory(household=world.household_a)
    assert node_of(world.household_a) == world.grid_a
    assert node_of(visit) == world.grid_a
    assert node_of(world.grid_a) == world.grid_a  # a node is its own


def test_staff_over_needs_staff_work_a_subtree_holding_the_node_and_the_permission(world):
    perm = "grids.change_household"
    assert staff_over(world.street_staff, world.grid_a, perm)
    assert staff_over(world.secretary_a, world.grid_a, perm)
    assert not staff_over(world.secretary_a, world.grid_b, perm)  # another community
    assert not staff_over(world.gridworker_a, world.grid_a)  # in scope, but not staff
    assert not staff_over(world.unscoped_staff, world.grid_a)
    assert not staff_over(world.street_staff, world.grid_c)  # another street
    assert not staff_over(world.secretary_a, world.grid_a, "points.reverse_pointsentry")
    assert staff_over(world.superuser, world.grid_c, perm)


def test_visible_is_the_subtree_plus_what_also_reaches(world):
    everyone = Household.objects.all()
    assert set(visible(everyone, world.secretary_a)) == {world.household_a}
    widened = visible(everyone, world.secretary_a, also=Q(pk=world.household_b.pk))
    assert set(widened) == {world.household_a, world.household_b}
    # Without a scope only `also` counts; with nothing else, nothing.
    assert set(visible(everyone, world.volunteer, also=Q(pk=world.household_b.pk))) == {world.household_b}
    assert not visible(Visit.objects.all(), world.volunteer).exists()
    assert set(visible(everyone, world.superuser, also=Q(pk__in=[]))) == set(everyone)
