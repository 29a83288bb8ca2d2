"""Phone numbers are stored as ASCII digits, whatever digits they were typed in.

Full-width (１３８…) and Arabic-Indic (١٣٨…) digits pass Python's \\d; a number
stored that way would not match its ASCII twin in a search, a duplicate check
or an SMS gateway.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from grids.models import Household
from portal.validators import validate_mobile
from tests.grids.test_imports import CSV, HOUSEHOLD_HEADERS, _csv, _import
from wishes.models import Wish

FULL_WIDTH = "１３８１２３４８０００"
ARABIC_INDIC = "١٣٨١٢٣٤٨٠٠٠"
ASCII = "13812348000"


@pytest.mark.parametrize("typed", [FULL_WIDTH, ARABIC_INDIC, "۱۳۸۱۲۳۴۸۰۰۰"])
def test_a_mobile_in_other_digits_is_not_valid_until_normalised(typed):
    from portal.validators import normalise_phone

    with pytest.raises(ValidationError):
        validate_mobile(typed)
    assert normalise_phone(typed) == ASCII
    validate_mobile(normalise_phone(typed))


def test_spaces_dashes_and_the_country_code_are_dropped():
    from portal.validators import normalise_phone

    assert normalise_phone("+86 138-1234-8000") == ASCII
    assert normalise_phone("＋８６　１３８　１２３４　８０００") == ASCII


def test_the_public_wish_form_stores_ascii(client, world):
    response = client.post(
        "/wishes/new/",
        {
            "name": "王秀英",
            "phone": FULL_WIDTH,
            "community": world.community_a.pk,
            "grid": "",
            "address": "",
            "category": "elderly",
            "text": "希望有人每周陪我去医院复查一次",
            "wanted_by": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
            "website": "",
        },
    )
    assert response.status_code == 302
    assert Wish.objects.get().phone == ASCII


def test_the_admin_stores_ascii(login, world):
    household = world.household_a
    client = login(world.secretary_a)
    url = reverse("admin:grids_household_change", args=[household.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(phone=ARABIC_INDIC, building=household.building_id)
    data.update(
        {
            "residents-TOTAL_FORMS": "0",
            "residents-INITIAL_FORMS": "0",
            "residents-MIN_NUM_FORMS": "0",
            "residents-MAX_NUM_FORMS": "1000",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    household.refresh_from_db()
    assert household.phone == ASCII


def test_an_import_stores_ascii(login, world):
    rows = [[world.grid_a.code, "1号楼", "1", "201", "张桂兰", FULL_WIDTH, "", "孤寡", ""]]
    _import(login(world.secretary_a), "household", _csv(HOUSEHOLD_HEADERS, rows), fmt=CSV)
    assert Household.objects.get(room="201").phone == ASCII


def test_a_lookup_in_other_digits_finds_the_ascii_number(world):
    assert Household.objects.filter(phone=FULL_WIDTH).count() == 2
