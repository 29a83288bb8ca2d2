"""Creating in the admin: nobody creates outside their scope, and the tree rules hold."""

import pytest
from django.urls import reverse

from grids.models import Building, Grid, GridAssignment, Household
from portal.models import StaffProfile, User


def _add(client, model, data):
    return client.post(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"), data)


def _building(world, grid):
    return {"grid": grid.pk, "name": "9号楼", "address": "", "units": "2", "floors": "6"}


def _household(world, building):
    return {
        "building": building.pk,
        "unit": "1",
        "room": "909",
        "head_name": "王五",
        "phone": "",
        "id_number": "",
        "category": "general",
        "notes": "",
        "residents-TOTAL_FORMS": "0",
        "residents-INITIAL_FORMS": "0",
    }


def _grid(world, parent):
    return {"name": "新网格", "code": "NEW-G1", "kind": "grid", "parent": parent.pk, "address": ""}


def _assignment(world, grid):
    return {
        "person": world.gridworker_a.pk,
        "role": "grid_worker",
        "grid": grid.pk,
        "unit": "",
        "start_date": "2026-01-01",
    }


CASES = [
    (Building, _building, "grid_b", "grid_a"),
    (Household, _household, "building_b", "building_a"),
    (Grid, _grid, "community_b", "community_a"),
    (GridAssignment, _assignment, "grid_b", "grid_a"),
]


@pytest.mark.parametrize("model, make_data, theirs, mine", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_a_secretary_cannot_create_in_another_community(login, world, model, make_data, theirs, mine):
    before = model.objects.count()
    client = login(world.secretary_a)
    refused = _add(client, model, make_data(world, getattr(world, theirs)))
    assert refused.status_code == 200  # the form again, with the error
    assert "选择一个有效的选项" in str(refused.context["adminform"].form.errors)
    assert model.objects.count() == before

    accepted = _add(client, model, make_data(world, getattr(world, mine)))
    assert accepted.status_code == 302, accepted.context and accepted.context["adminform"].form.errors
    assert model.objects.count() == before + 1


@pytest.mark.parametrize("model, make_data, theirs, mine", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_street_staff_create_in_every_community(login, world, model, make_data, theirs, mine):
    before = model.objects.count()
    response = _add(login(world.street_staff), model, make_data(world, getattr(world, theirs)))
    assert response.status_code == 302
    assert model.objects.count() == before + 1


def test_a_household_gets_its_grid_from_the_building(login, world):
    _add(login(world.secretary_a), Household, _household(world, world.building_a))
    assert Household.objects.get(room="909").grid == world.grid_a


def test_a_secretary_creates_accounts_only_inside_the_community(login, world):
    client = login(world.secretary_a)
    data = {
        "username": "newworker",
        "full_name": "新网格员",
        "password1": "Zx9!kq-long-pass",
        "password2": "Zx9!kq-long-pass",
        "staff_profile-TOTAL_FORMS": "1",
        "staff_profile-INITIAL_FORMS": "0",
        "staff_profile-MIN_NUM_FORMS": "1",
        "staff_profile-MAX_NUM_FORMS": "1",
        "staff_profile-0-scope": world.community_b.pk,
        "staff_profile-0-title": "",
    }
    refused = _add(client, User, data)
    assert refused.status_code == 200
    assert not User.objects.filter(username="newworker").exists()

    data["staff_profile-0-scope"] = world.grid_a.pk
    accepted = _add(client, User, data)
    assert accepted.status_code == 302
    assert StaffProfile.objects.get(user__username="newworker").scope == world.grid_a


def test_a_secretary_cannot_grant_street_staff_or_superuser(login, world):
    from django.contrib.auth.models import Group

    client = login(world.secretary_a)
    page = client.get(reverse("admin:portal_user_change", args=[world.gridworker_a.pk]))
    groups = {g.name for g in page.context["adminform"].form.fields["groups"].queryset}
    assert "street_staff" not in groups and "community_secretary" not in groups
    assert "is_superuser" not in page.context["adminform"].form.fields
    street_group = Group.objects.get(name="street_staff")
    assert street_group.pk not in [g.pk for g in page.context["adminform"].form.fields["groups"].queryset]


def test_staff_cannot_edit_or_delete_their_own_scope_node(login, world):
    client = login(world.secretary_a)
    change = reverse("admin:grids_grid_change", args=[world.community_a.pk])
    assert client.get(change).status_code in (200, 403)
    assert (
        client.post(change, {"name": "改名", "code": world.community_a.code, "kind": "community"}).status_code
        == 403
    )
    assert (
        client.post(
            reverse("admin:grids_grid_delete", args=[world.community_a.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    world.community_a.refresh_from_db()
    assert world.community_a.name != "改名"


def test_only_a_superuser_adds_a_street(login, world):
    street = {"name": "新街道", "code": "NEW-S", "kind": "street", "parent": "", "address": ""}
    assert _add(login(world.street_staff), Grid, street).status_code == 200
    assert not Grid.objects.filter(code="NEW-S").exists()
    assert _add(login(world.superuser), Grid, street).status_code == 302
    assert Grid.objects.get(code="NEW-S").level == 0


def test_the_admin_explains_a_node_at_the_wrong_level(login, world):
    response = _add(
        login(world.street_staff),
        Grid,
        {"name": "错", "code": "BAD-X", "kind": "grid", "parent": world.street.pk},
    )
    assert "网格的上级必须是社区" in str(response.context["adminform"].form.errors)


@pytest.mark.parametrize("model", ["household", "building", "gridassignment"])
def test_import_and_export_pages_open(login, world, model):
    client = login(world.secretary_a)
    assert client.get(reverse(f"admin:grids_{model}_import")).status_code == 200
    assert client.get(reverse(f"admin:grids_{model}_export")).status_code == 200


def test_changelists_filter_by_community_grid_and_building(login, world):
    from tests.factories import HouseholdFactory

    HouseholdFactory(building=world.building_a, room="555")
    client = login(world.street_staff)
    url = reverse("admin:grids_household_changelist")
    by_community = client.get(url, {"community": world.community_b.pk}).context["cl"].result_list
    assert {h.building_id for h in by_community} == {world.building_b.pk}
    by_building = (
        client.get(url, {"grid": world.grid_a.pk, "building": world.building_a.pk}).context["cl"].result_list
    )
    assert len(by_building) == 2
    assert client.get(url, {"community": "not-a-number"}).status_code in (200, 302)
