"""Pairings: who may pair whom, the partner's contacts as visits, the overdue rule, the phone page, the admin."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from care import services
from care.models import Pairing
from grids.models import Household, Visit
from grids.selectors import overdue_households_for
from tests.factories import HouseholdFactory, PairingFactory, VolunteerFactory, make_user


def _pair(world, **extra):
    return services.pairing_create(
        actor=world.secretary_a,
        household=world.solitary,
        partner_kind=Pairing.PartnerKind.PARTY_MEMBER,
        volunteer=world.member,
        **extra,
    )


def test_a_secretary_pairs_a_vulnerable_household_with_a_party_member(care):
    pairing = _pair(care)
    assert pairing.partner == care.volunteer
    assert pairing.grid == care.grid_a
    assert pairing.is_current()


def test_it_refuses_a_general_household(care):
    general = HouseholdFactory(building=care.building_a, category=Household.Category.GENERAL)
    with pytest.raises(ValidationError) as error:
        services.pairing_create(
            actor=care.secretary_a, household=general, partner_kind="party_member", volunteer=care.member
        )
    assert "household" in error.value.message_dict
    assert not Pairing.objects.exists()


def test_it_refuses_a_household_outside_the_secretarys_community(care):
    other = HouseholdFactory(building=care.building_b, category=Household.Category.POOR)
    with pytest.raises(ValidationError):
        services.pairing_create(
            actor=care.secretary_a, household=other, partner_kind="party_member", volunteer=care.member
        )


def test_a_party_member_pairing_needs_a_party_member_with_a_login(care):
    plain = VolunteerFactory(community=care.community_a, user=make_user(username="v2"))
    no_login = VolunteerFactory(community=care.community_a, is_party_member=True)
    for volunteer in (plain, no_login):
        with pytest.raises(ValidationError) as error:
            services.pairing_create(
                actor=care.secretary_a,
                household=care.solitary,
                partner_kind="party_member",
                volunteer=volunteer,
            )
        assert "volunteer" in error.value.message_dict
    # the same non-member is a fine volunteer partner
    pairing = services.pairing_create(
        actor=care.secretary_a, household=care.solitary, partner_kind="volunteer", volunteer=plain
    )
    assert pairing.partner.username == "v2"


def test_a_cadre_must_hold_a_staff_scope(care):
    with pytest.raises(ValidationError) as error:
        services.pairing_create(
            actor=care.secretary_a, household=care.solitary, partner_kind="cadre", partner=care.volunteer
        )
    assert "partner" in error.value.message_dict
    pairing = services.pairing_create(
        actor=care.secretary_a, household=care.solitary, partner_kind="cadre", partner=care.gridworker_a
    )
    assert pairing.partner == care.gridworker_a


def test_the_same_partner_is_paired_once_at_a_time_and_the_dates_are_checked(care):
    _pair(care)
    with pytest.raises(ValidationError):
        _pair(care)
    today = timezone.localdate()
    other = HouseholdFactory(building=care.building_a, category=Household.Category.DISABLED)
    with pytest.raises(ValidationError) as error:
        services.pairing_create(
            actor=care.secretary_a,
            household=other,
            partner_kind="party_member",
            volunteer=care.member,
            start_date=today,
            end_date=today - datetime.timedelta(days=1),
        )
    assert "end_date" in error.value.message_dict


def test_a_partners_contact_is_a_visit_and_the_household_is_no_longer_overdue(care):
    pairing = _pair(care)
    assert care.solitary in overdue_households_for(care.gridworker_a)
    visit = services.pairing_contact_log(partner=care.volunteer, pairing=pairing, method="phone")
    assert visit.visitor == care.volunteer
    assert visit.household == care.solitary
    assert visit.findings == "结对联系"
    care.solitary.refresh_from_db()
    assert care.solitary.last_visited_at == visit.visited_at
    assert care.solitary not in overdue_households_for(care.gridworker_a)


def test_only_the_partner_of_a_current_pairing_logs_contacts(care):
    pairing = _pair(care)
    with pytest.raises(PermissionDenied):
        services.pairing_contact_log(partner=care.gridworker_a, pairing=pairing, method="phone")
    services.pairing_end(actor=care.secretary_a, pairing=pairing)
    Pairing.objects.filter(pk=pairing.pk).update(
        start_date=timezone.localdate() - datetime.timedelta(days=10),
        end_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError):
        services.pairing_contact_log(partner=care.volunteer, pairing=pairing, method="phone")
    assert not Visit.objects.exists()


def test_staff_outside_the_grid_cannot_end_a_pairing(care):
    pairing = _pair(care)
    with pytest.raises(PermissionDenied):
        services.pairing_end(actor=care.secretary_b, pairing=pairing)


# --- the partner's phone page ----------------------------------------------------------------------


def test_the_partner_sees_their_households_and_logs_a_contact_in_one_tap(care, login):
    pairing = _pair(care)
    client = login(care.volunteer)
    page = client.get(reverse("care:partner_home"))
    assert page.status_code == 200
    assert care.solitary.address_label in page.content.decode()
    assert "13812348000" not in page.content.decode()  # the phone is masked
    response = client.post(reverse("care:contact_log", args=[pairing.pk]), {"method": "in_person"})
    assert response.status_code == 302
    assert Visit.objects.get().method == "in_person"


def test_a_bad_contact_changes_nothing_and_says_why(care, login):
    pairing = _pair(care)
    response = login(care.volunteer).post(reverse("care:contact_log", args=[pairing.pk]), {"method": "fax"})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not Visit.objects.exists()


def test_someone_elses_pairing_answers_404(care, login):
    pairing = _pair(care)
    response = login(care.gridworker_a).post(
        reverse("care:contact_log", args=[pairing.pk]), {"method": "phone"}
    )
    assert response.status_code == 404
    assert not Visit.objects.exists()


# --- the admin --------------------------------------------------------------------------------------


def test_the_admin_pairs_through_the_service(care, login):
    client = login(care.secretary_a)
    url = reverse("admin:care_pairing_add")
    data = {
        "household": care.solitary.pk,
        "partner_kind": "party_member",
        "volunteer": care.member.pk,
        "partner": "",
        "start_date": timezone.localdate().isoformat(),
        "note": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    pairing = Pairing.objects.get()
    assert pairing.partner == care.volunteer and pairing.created_by == care.secretary_a


def test_the_admin_explains_a_refused_pairing_and_saves_nothing(care, login):
    general = HouseholdFactory(building=care.building_a, category=Household.Category.GENERAL)
    response = login(care.secretary_a).post(
        reverse("admin:care_pairing_add"),
        {
            "household": general.pk,
            "partner_kind": "party_member",
            "volunteer": care.member.pk,
            "start_date": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert "只有困难户" in response.content.decode()
    assert not Pairing.objects.exists()


def test_the_admin_list_is_scoped_and_shows_no_phone(care, login):
    mine = PairingFactory(household__building=care.building_a)
    theirs = PairingFactory(household__building=care.building_b)
    page = login(care.secretary_a).get(reverse("admin:care_pairing_changelist")).content.decode()
    assert mine.household.address_label in page
    assert f"/admin/care/pairing/{theirs.pk}/" not in page
    assert "13812348000" not in page


def test_unpaired_households_page_is_for_staff_in_scope(care, login):
    PairingFactory(household__building=care.building_b)
    page = login(care.secretary_a).get(reverse("care:unpaired"))
    assert page.status_code == 200
    assert care.solitary.address_label in page.content.decode()
    # a volunteer holds no scope
    assert login(care.volunteer).get(reverse("care:unpaired")).status_code == 403
