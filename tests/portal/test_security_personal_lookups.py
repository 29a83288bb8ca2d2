"""Masked personal data cannot be read back through admin list lookups.

Without `portal.view_personal_data`, phone and ID numbers are shown masked; a
list filter such as ?id_number__startswith=1101 would reveal them digit by
digit. Such lookups are refused; a search for a whole number finds it by exact
match and is written to the personal-data access log.
"""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from portal.models import PersonalDataLog
from tests.factories import VolunteerFactory, WishFactory
from tests.utils import result_pks


@pytest.fixture
def masked_secretary(world):
    world.secretary_a.groups.first().permissions.remove(Permission.objects.get(codename="view_personal_data"))
    return world.secretary_a


def _list(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize(
    "query",
    [
        "id_number__startswith=110105",
        "id_number__startswith=1101051949123",
        "id_number=11010519491231002X",
        "phone__startswith=1381234",
        "phone__regex=^138",
        "id_number__gt=1",
    ],
)
def test_lookups_on_personal_fields_are_refused_without_the_permission(login, world, masked_secretary, query):
    from grids.models import Household

    response = login(masked_secretary).get(f"{_list(Household)}?{query}")
    assert response.status_code == 400
    assert "完整号码" in response.content.decode()


def test_every_admin_with_personal_fields_refuses_them(login, world, masked_secretary):
    from grids.models import Household, Resident
    from portal.models import User
    from volunteers.models import Volunteer
    from wishes.models import Wish

    client = login(masked_secretary)
    for model in (Household, Resident, Volunteer, Wish, User):
        for field in model.PERSONAL_FIELDS:
            response = client.get(f"{_list(model)}?{field}__startswith=1")
            assert response.status_code == 400, (model, field)


def test_a_related_path_to_a_personal_field_is_refused_too(login, world, masked_secretary):
    from grids.models import Visit

    response = login(masked_secretary).get(f"{_list(Visit)}?household__id_number__startswith=1101")
    assert response.status_code == 400


def test_staff_who_may_see_personal_data_keep_their_lookups(login, world):
    from grids.models import Household

    response = login(world.secretary_a).get(f"{_list(Household)}?phone__startswith=138")
    assert response.status_code == 200
    assert world.household_a.pk in result_pks(response)


def test_a_search_by_a_whole_number_finds_it_exactly_and_is_logged(login, world, masked_secretary):
    from grids.models import Household

    client = login(masked_secretary)
    response = client.get(f"{_list(Household)}?q=11010519491231002X")
    assert response.status_code == 200
    assert result_pks(response) == {world.household_a.pk}  # household B is outside the scope
    log = PersonalDataLog.objects.get()
    assert log.actor_username == "secretary_a" and log.action == "view"
    assert log.subject_id == str(world.household_a.pk) and log.fields == "id_number"
    assert log.grid == world.grid_a


def test_a_search_by_part_of_a_number_finds_nothing_and_logs_nothing(login, world, masked_secretary):
    from grids.models import Household

    response = login(masked_secretary).get(f"{_list(Household)}?q=1101051949")
    assert response.status_code == 200
    assert result_pks(response) == set()
    assert not PersonalDataLog.objects.exists()


def test_a_whole_phone_typed_with_full_width_digits_is_found(login, world, masked_secretary):
    from volunteers.models import Volunteer
    from wishes.models import Wish

    volunteer = VolunteerFactory(community=world.community_a, phone="13911112222")
    wish = WishFactory(grid=world.grid_a, phone="13733334444")
    client = login(masked_secretary)
    found = client.get(f"{_list(Volunteer)}?q=139 1111 2222")
    assert result_pks(found) == {volunteer.pk}
    found = client.get(f"{_list(Wish)}?q=１３７３３３３４４４４")
    assert result_pks(found) == {wish.pk}
    assert PersonalDataLog.objects.count() == 2
