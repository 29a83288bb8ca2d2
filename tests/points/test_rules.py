"""Points rules belong to a street, or to the district as defaults only superusers change."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from grids.services import visit_log
from points.models import PointsEntry, PointsRule
from points.services import points_rule_update
from portal.roles import Role
from tests.factories import (
    BuildingFactory,
    HouseholdFactory,
    VolunteerFactory,
    make_user,
    points_rule,
)


@pytest.fixture
def streets(world):
    """A grid worker with a volunteer record in each street, and street T's staff."""
    worker_t = make_user(Role.GRID_WORKER, world.grid_c, username="gridworker_c")
    VolunteerFactory(user=world.gridworker_a, community=world.community_a)
    VolunteerFactory(user=worker_t, community=world.community_c)
    return {
        "worker_t": worker_t,
        "household_t": HouseholdFactory(building=BuildingFactory(grid=world.grid_c), room="202"),
        "staff_t": make_user(Role.STREET_STAFF, world.other_street, username="street_t"),
    }


def _visit_points(worker, household):
    visit = visit_log(visitor=worker, household=household, method="phone", findings="一切安好")
    return PointsEntry.objects.get(source_id=visit.pk, rule__code="visit_logged").points


def test_one_streets_staff_change_a_rule_for_their_street_only(world, login, streets):
    default = points_rule("visit_logged")
    response = login(streets["staff_t"]).post(
        reverse("points:rule_edit", args=[default.pk]), {"name": "入户走访", "points": "500"}
    )
    assert response.status_code == 302
    assert PointsRule.objects.get(pk=default.pk).points == Decimal("1")
    assert PointsRule.objects.get(code="visit_logged", street=world.other_street).points == Decimal("500")
    # Street S still earns the district's value; street T its own.
    assert _visit_points(world.gridworker_a, world.household_a) == Decimal("1.00")
    assert _visit_points(streets["worker_t"], streets["household_t"]) == Decimal("500.00")


def test_a_streets_rule_is_out_of_reach_of_another_streets_staff(world, login, streets):
    own = points_rule_update(
        rule=points_rule("visit_logged"), user=streets["staff_t"], name="入户走访", points=5
    )
    assert own.street == world.other_street
    client = login(world.street_staff)
    assert client.get(reverse("points:rule_edit", args=[own.pk])).status_code == 404
    response = client.post(reverse("points:rule_edit", args=[own.pk]), {"name": "入户走访", "points": "500"})
    assert response.status_code == 404
    assert PointsRule.objects.get(pk=own.pk).points == Decimal("5")
    listed = client.get(reverse("points:rules")).context["rules"]
    assert own not in listed and points_rule("visit_logged") in listed
    with pytest.raises(PermissionDenied):
        points_rule_update(rule=own, user=world.street_staff, name="入户走访", points=500)


def test_a_streets_staff_change_their_own_rule_again_in_place(world, streets):
    first = points_rule_update(
        rule=points_rule("visit_logged"), user=streets["staff_t"], name="入户走访", points=5
    )
    again = points_rule_update(
        rule=points_rule("visit_logged"), user=streets["staff_t"], name="入户走访", points=7
    )
    assert again.pk == first.pk and again.points == 7
    assert PointsRule.objects.filter(code="visit_logged").count() == 2


def test_only_superusers_change_the_districts_defaults(world, login, streets):
    default = points_rule("visit_logged")
    login(world.superuser).post(
        reverse("points:rule_edit", args=[default.pk]), {"name": "入户走访", "points": "2"}
    )
    assert PointsRule.objects.get(pk=default.pk).points == Decimal("2")
    assert PointsRule.objects.filter(code="visit_logged").count() == 1
    assert _visit_points(world.gridworker_a, world.household_a) == Decimal("2.00")
    with pytest.raises(PermissionDenied):
        points_rule_update(rule=default, user=world.secretary_a, name="入户走访", points=9)
