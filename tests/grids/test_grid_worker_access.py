"""On a household's page a grid worker reads their own visit notes, and only the dates of others'.

They need to know when and how a household was last visited to plan their
round; what a colleague found is for that colleague and the community's
staff (the visit pages already show a grid worker only their own visits).
"""

from django.urls import reverse

from tests.factories import VisitFactory, make_user


def test_a_grid_worker_sees_when_colleagues_visited_but_not_what_they_noted(login, world):
    from portal.roles import Role

    colleague = make_user(Role.GRID_WORKER, world.grid_a, username="gridworker_a2")
    VisitFactory(household=world.household_a, visitor=colleague, findings="老人说儿子欠债，情绪低落")
    VisitFactory(household=world.household_a, visitor=world.gridworker_a, findings="水管已修好")
    page = login(world.gridworker_a).get(reverse("grids:household_detail", args=[world.household_a.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "水管已修好" in html
    assert "欠债" not in html
    assert "其他网格员的走访" in html


def test_community_staff_read_every_visit_note(login, world):
    VisitFactory(household=world.household_a, visitor=world.gridworker_a, findings="老人说儿子欠债，情绪低落")
    page = login(world.secretary_a).get(reverse("grids:household_detail", args=[world.household_a.pk]))
    assert "欠债" in page.content.decode()
