"""Grid pages and the phone visit flow, including every refusal."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from grids.models import Household, Visit
from portal.models import PersonalDataLog
from tests.factories import HouseholdFactory, VisitFactory


@pytest.mark.parametrize(
    "name, args",
    [
        ("grids:grid_list", []),
        ("grids:visit_list", []),
        ("grids:visit_new", []),
    ],
)
def test_pages_need_a_login(client, world, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["grids:grid_list", "grids:visit_list", "grids:visit_new"])
def test_a_volunteer_without_scope_is_refused(login, world, name):
    assert login(world.volunteer).get(reverse(name)).status_code == 403


def test_grid_detail_of_another_community_is_404(login, world):
    client = login(world.secretary_a)
    assert client.get(reverse("grids:grid_detail", args=[world.grid_a.code])).status_code == 200
    assert client.get(reverse("grids:grid_detail", args=[world.grid_b.code])).status_code == 404
    assert client.get(reverse("grids:grid_detail", args=[world.street.code])).status_code == 404


def test_household_and_visit_pages_of_another_grid_are_404(login, world):
    visit_b = VisitFactory(household=world.household_b)
    client = login(world.gridworker_a)
    assert client.get(reverse("grids:household_detail", args=[world.household_b.pk])).status_code == 404
    assert client.get(reverse("grids:visit_detail", args=[visit_b.pk])).status_code == 404
    assert client.post(reverse("grids:visit_follow_up", args=[visit_b.pk])).status_code == 404
    assert client.get(reverse("grids:visit_new"), {"household": world.household_b.pk}).status_code == 404


def test_street_staff_see_counts_for_both_communities(login, world):
    HouseholdFactory(building=world.building_a, category=Household.Category.SOLITARY)
    response = login(world.street_staff).get(reverse("grids:grid_list"))
    rows = {node.pk: stats for node, stats in response.context["rows"]}
    assert set(rows) == {world.street.pk, world.community_a.pk, world.community_b.pk}
    assert rows[world.street.pk].households == 3
    assert rows[world.community_a.pk].by_category[Household.Category.SOLITARY] == 1
    assert rows[world.community_a.pk].overdue == 1  # never visited


def test_overdue_list_shows_only_unvisited_vulnerable_households(login, world, settings):
    settings.VISIT_OVERDUE_DAYS = 30
    old = HouseholdFactory(building=world.building_a, category=Household.Category.EMPTY_NEST, room="201")
    recent = HouseholdFactory(building=world.building_a, category=Household.Category.POOR, room="202")
    HouseholdFactory(building=world.building_a, category=Household.Category.GENERAL, room="203")
    Household.objects.filter(pk=old.pk).update(last_visited_at=timezone.now() - datetime.timedelta(days=45))
    Household.objects.filter(pk=recent.pk).update(last_visited_at=timezone.now() - datetime.timedelta(days=3))
    response = login(world.secretary_a).get(reverse("grids:grid_detail", args=[world.community_a.code]))
    listed = [h.pk for h in response.context["overdue_page"]]
    assert listed == [old.pk]
    assert response.context["stats"].overdue == 1


def test_grid_worker_finds_households_of_their_grid_only(login, world):
    HouseholdFactory(building=world.building_b, room="301", head_name="王秀英")
    mine = HouseholdFactory(building=world.building_a, unit="2", room="301", head_name="王秀兰")
    client = login(world.gridworker_a)
    by_address = client.get(reverse("grids:visit_new"), {"q": "1号楼2单元301"}).context["results"]
    by_dashes = client.get(reverse("grids:visit_new"), {"q": "1-2-301"}).context["results"]
    by_name = client.get(reverse("grids:visit_new"), {"q": "王秀"}).context["results"]
    assert [h.pk for h in by_address] == [mine.pk]
    assert [h.pk for h in by_dashes] == [mine.pk]
    assert [h.pk for h in by_name] == [mine.pk]


def test_grid_worker_logs_a_visit_and_the_household_is_marked_visited(login, world):
    client = login(world.gridworker_a)
    response = client.post(
        reverse("grids:visit_new"),
        {"household": world.household_a.pk, "method": "in_person", "findings": "<b>一切正常</b>"},
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.findings == "一切正常"  # no markup kept
    assert visit.grid == world.grid_a
    world.household_a.refresh_from_db()
    assert world.household_a.last_visited_at == visit.visited_at


def test_a_tampered_household_outside_the_grid_is_refused_with_a_message(login, world):
    client = login(world.gridworker_a)
    response = client.post(
        reverse("grids:visit_new"),
        {"household": world.household_b.pk, "method": "in_person", "findings": "看看"},
    )
    assert response.status_code == 400
    assert "不在您负责的网格内" in response.content.decode()
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"method": "fax", "findings": "情况良好"}, "method"),
        ({"method": "phone", "findings": ""}, "findings"),
        ({"method": "phone", "findings": "长" * 2001}, "findings"),
    ],
)
def test_bad_visit_input_is_explained_and_saves_nothing(login, world, data, field):
    response = login(world.gridworker_a).post(
        reverse("grids:visit_new"), {"household": world.household_a.pk, **data}
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Visit.objects.exists()


def test_a_grid_worker_sees_only_their_own_visits_and_a_secretary_the_community(login, world):
    own = VisitFactory(household=world.household_a, visitor=world.gridworker_a)
    colleague = VisitFactory(household=world.household_a)
    elsewhere = VisitFactory(household=world.household_b)
    worker_list = login(world.gridworker_a).get(reverse("grids:visit_list")).context["page"]
    assert [v.pk for v in worker_list] == [own.pk]
    secretary_list = login(world.secretary_a).get(reverse("grids:visit_list")).context["page"]
    assert {v.pk for v in secretary_list} == {own.pk, colleague.pk}
    assert elsewhere.pk not in {v.pk for v in secretary_list}


def test_follow_up_is_marked_done_once(login, world):
    visit = VisitFactory(household=world.household_a, visitor=world.gridworker_a, follow_up_needed=True)
    client = login(world.gridworker_a)
    url = reverse("grids:visit_follow_up", args=[visit.pk])
    assert client.post(url, {"note": "已联系物业修好"}).status_code == 302
    visit.refresh_from_db()
    assert visit.follow_up_done_at is not None and visit.follow_up_note == "已联系物业修好"
    again = client.post(url, {"note": "再来一次"})
    assert again.status_code == 400
    visit.refresh_from_db()
    assert visit.follow_up_note == "已联系物业修好"


def test_follow_up_without_need_is_refused(login, world):
    visit = VisitFactory(household=world.household_a, follow_up_needed=False)
    response = login(world.secretary_a).post(reverse("grids:visit_follow_up", args=[visit.pk]))
    assert response.status_code == 400
    visit.refresh_from_db()
    assert visit.follow_up_done_at is None


def test_household_page_masks_and_reveal_is_logged(login, world):
    url = reverse("grids:household_detail", args=[world.household_a.pk])
    worker_page = login(world.gridworker_a).get(url).content.decode()
    assert "138****8000" in worker_page and "13812348000" not in worker_page
    assert (
        login(world.gridworker_a)
        .post(reverse("grids:household_reveal", args=[world.household_a.pk]))
        .status_code
        == 403
    )

    client = login(world.secretary_a)
    assert "13812348000" not in client.get(url).content.decode()
    revealed = client.post(reverse("grids:household_reveal", args=[world.household_a.pk]))
    assert "13812348000" in revealed.content.decode()
    entry = PersonalDataLog.objects.get()
    assert entry.actor == world.secretary_a and entry.action == "view"
    assert entry.subject_id == str(world.household_a.pk) and entry.grid == world.grid_a
