import pytest

from grids.models import Household
from tests.factories import HouseholdFactory, VolunteerFactory


@pytest.fixture
def care(world):
    """A solitary household in grid A and a party member (volunteer login) living in community A."""
    world.solitary = HouseholdFactory(
        building=world.building_a, room="301", category=Household.Category.SOLITARY
    )
    world.member = VolunteerFactory(user=world.volunteer, community=world.community_a, is_party_member=True)
    return world
