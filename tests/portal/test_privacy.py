"""Personal data: validation, masking, and the access log nobody can edit."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.models import PersonalDataLog
from portal.privacy import mask_id_number, mask_name, mask_phone
from portal.validators import validate_id_number, validate_mobile


@pytest.mark.parametrize("value", ["13812348000", "19900001111", "15012345678"])
def test_mainland_mobiles_are_accepted(value):
    validate_mobile(value)


@pytest.mark.parametrize("value", ["12812348000", "1381234800", "138123480001", "+8613812348000", ""])
def test_other_numbers_are_refused_in_chinese(value):
    with pytest.raises(ValidationError, match="手机号"):
        validate_mobile(value)


@pytest.mark.parametrize(
    "value", ["11010519491231002X", "110105194912310029"[:17] + "X", "440524188001010014"]
)
def test_id_numbers_with_a_good_check_digit_pass(value):
    validate_id_number(value)


@pytest.mark.parametrize(
    "value, message",
    [
        ("110105194912310021", "校验位"),
        ("11010519491331002X", "出生日期"),
        ("1101051949123100", "18位"),
        ("11010519491231002Y", "18位"),
    ],
)
def test_bad_id_numbers_say_what_is_wrong(value, message):
    with pytest.raises(ValidationError, match=message):
        validate_id_number(value)


def test_masks_keep_only_what_identifies_nothing():
    assert mask_phone("13812348000") == "138****8000"
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_name("张桂兰") == "张**"
    assert mask_phone("") == ""


def test_admin_change_page_masks_for_a_user_without_the_permission(login, world):
    from portal.roles import Role
    from tests.factories import make_user

    # A secretary whose role has been stripped of the personal-data permission.
    clerk = make_user(Role.COMMUNITY_SECRETARY, world.community_a, username="clerk")
    from django.contrib.auth.models import Permission

    clerk.groups.clear()
    clerk.user_permissions.set(Permission.objects.filter(codename__in=["view_household", "change_household"]))
    page = login(clerk).get(reverse("admin:grids_household_change", args=[world.household_a.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "138****8000" in html and "13812348000" not in html
    assert not PersonalDataLog.objects.exists()


def test_admin_change_page_shows_and_logs_for_a_permitted_user(login, world):
    client = login(world.secretary_a)
    page = client.get(reverse("admin:grids_household_change", args=[world.household_a.pk]))
    assert "13812348000" in page.content.decode()
    entry = PersonalDataLog.objects.get()
    assert (entry.action, entry.actor_username, entry.grid) == ("view", "secretary_a", world.grid_a)


def test_changing_a_phone_in_the_admin_is_logged(login, world):
    client = login(world.secretary_a)
    url = reverse("admin:grids_household_change", args=[world.household_a.pk])
    data = {
        "building": world.building_a.pk,
        "unit": "1",
        "room": "101",
        "head_name": world.household_a.head_name,
        "phone": "13900009999",
        "id_number": world.household_a.id_number,
        "category": "general",
        "notes": "",
        "residents-TOTAL_FORMS": "0",
        "residents-INITIAL_FORMS": "0",
        "residents-MIN_NUM_FORMS": "0",
        "residents-MAX_NUM_FORMS": "1000",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    change = PersonalDataLog.objects.get(action="change")
    assert change.fields == "phone"


def test_a_bad_phone_in_the_admin_is_explained_and_nothing_changes(login, world):
    client = login(world.secretary_a)
    url = reverse("admin:grids_household_change", args=[world.household_a.pk])
    response = client.post(
        url,
        {
            "building": world.building_a.pk,
            "unit": "1",
            "room": "101",
            "head_name": "x",
            "phone": "12345",
            "category": "general",
            "residents-TOTAL_FORMS": "0",
            "residents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "手机号" in str(response.context["adminform"].form.errors)
    world.household_a.refresh_from_db()
    assert world.household_a.phone == "13812348000"


def test_the_access_log_is_read_only_for_everyone(login, world):
    client = login(world.street_staff)
    client.get(reverse("admin:grids_household_change", args=[world.household_a.pk]))
    entry = PersonalDataLog.objects.get()
    assert client.get(reverse("admin:portal_personaldatalog_changelist")).status_code == 200
    assert (
        client.post(
            reverse("admin:portal_personaldatalog_delete", args=[entry.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert client.get(reverse("admin:portal_personaldatalog_add")).status_code == 403
    superuser = login(world.superuser)
    assert (
        superuser.post(
            reverse("admin:portal_personaldatalog_delete", args=[entry.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    entry.detail = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    assert PersonalDataLog.objects.get().detail != "tampered"


def test_secretaries_cannot_read_the_access_log(login, world):
    assert login(world.secretary_a).get(reverse("admin:portal_personaldatalog_changelist")).status_code == 403


def test_a_write_is_recorded_in_the_users_language_with_what_it_set(world):
    from django.utils import translation

    from grids.models import Household
    from portal.privacy import ADMIN, personal_data_write_record

    household = Household.objects.get(pk=world.household_a.pk)
    with translation.override("en"):
        entry = personal_data_write_record(
            actor=world.secretary_a, via=ADMIN, changed=[household], changed_fields=["notes", "id_number"]
        )
    assert (entry.action, entry.fields, entry.detail) == ("change", "id_number", "Admin: 1 changed")
    assert (
        personal_data_write_record(
            actor=world.secretary_a, via=ADMIN, changed=[household], changed_fields=["notes"]
        )
        is None
    )
