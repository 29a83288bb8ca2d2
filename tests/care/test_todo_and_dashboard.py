"""Pairings in the partner's 我的待办 and the unpaired households on the staff dashboard."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from care import services
from care.models import Pairing
from care.selectors import pairing_counts
from dashboard.numbers import compute_dashboard, compute_streets, merge_streets
from grids.models import Grid, Household
from inbox.board import todo_for
from portal.scoping import Subtree
from tests.factories import HouseholdFactory, PairingFactory


def _sections(user):
    return {s.key: s for s in todo_for(user).sections}


def _pair(world):
    return services.pairing_create(
        actor=world.secretary_a, household=world.solitary, partner_kind="party_member", volunteer=world.member
    )


def test_the_partner_owes_a_contact_to_an_overdue_paired_household(care):
    pairing = _pair(care)
    section = _sections(care.volunteer)["paired_households_due"]
    assert section.count == 1 and section.late
    assert section.items[0].url.endswith(f"#pairing-{pairing.pk}")
    services.pairing_contact_log(partner=care.volunteer, pairing=pairing, method="wechat")
    assert "paired_households_due" not in _sections(care.volunteer)


def test_a_recently_visited_or_ended_pairing_is_not_owed(care):
    pairing = _pair(care)
    Household.objects.filter(pk=care.solitary.pk).update(
        last_visited_at=timezone.now() - datetime.timedelta(days=3)
    )
    assert "paired_households_due" not in _sections(care.volunteer)
    Household.objects.filter(pk=care.solitary.pk).update(last_visited_at=None)
    Pairing.objects.filter(pk=pairing.pk).update(
        start_date=timezone.localdate() - datetime.timedelta(days=9),
        end_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    assert "paired_households_due" not in _sections(care.volunteer)


def test_nobody_else_sees_the_partners_households_in_their_todo(care):
    _pair(care)
    assert "paired_households_due" not in _sections(care.secretary_b)


def test_unpaired_vulnerable_households_are_counted_per_scope(care):
    # grid A: the solitary household (paired below) and a poor one; grid B: a disabled one
    HouseholdFactory(building=care.building_a, category=Household.Category.POOR)
    HouseholdFactory(building=care.building_b, category=Household.Category.DISABLED)
    _pair(care)
    ended = PairingFactory(
        household__building=care.building_b, household__category=Household.Category.MILITARY
    )
    Pairing.objects.filter(pk=ended.pk).update(
        start_date=timezone.localdate() - datetime.timedelta(days=9),
        end_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    street = Grid.objects.get(pk=care.street.pk)
    community_a = Grid.objects.get(pk=care.community_a.pk)
    assert pairing_counts(Subtree.of(street)) == {"vulnerable": 4, "unpaired": 3}
    assert pairing_counts(Subtree.of(community_a)) == {"vulnerable": 2, "unpaired": 1}
    assert compute_dashboard(street)["unpaired"] == 3
    assert compute_dashboard(community_a)["unpaired"] == 1
    streets = list(Grid.objects.filter(kind="street").order_by("tree_id"))
    parts = compute_streets(streets, everything=True)
    assert merge_streets([parts[s.pk] for s in streets])["unpaired"] == 3


def test_the_count_is_one_query_whatever_the_number_of_households(care):
    for _ in range(5):
        HouseholdFactory(building=care.building_a, category=Household.Category.POOR)
    scope = Subtree.of(Grid.objects.get(pk=care.street.pk))
    with CaptureQueriesContext(connection) as queries:
        pairing_counts(scope)
    assert len(queries) == 1


def test_the_dashboard_shows_the_number_and_links_the_list(care, login):
    page = login(care.street_staff).get("/dashboard/").content.decode()
    assert 'id="dash-unpaired"' in page
    assert "/care/unpaired/" in page
