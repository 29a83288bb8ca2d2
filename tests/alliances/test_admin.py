"""Needs and projects added in the admin are created by the alliances' services, with their
first status row."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from alliances import services
from alliances.models import Need, NeedStatusChange, Project, ProjectStatusChange
from grids.models import Grid


def test_a_need_added_in_the_admin_has_its_first_status_row(aw, login):
    secretary = aw.world.secretary_a
    response = login(secretary).post(
        reverse("admin:alliances_need_add"),
        {
            "community": aw.world.community_a.pk,
            "title": "助餐点",
            "description": "",
            "kind": "venue",
            "quantity": "",
            "priority": "hot",
            "wanted_by": "",
            "raised_on": "2026-03-02",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    need = Need.objects.get(title="助餐点")
    assert (need.status, need.raised_by) == ("open", secretary)
    first = NeedStatusChange.objects.get(need=need)
    assert (first.from_status, first.to_status, first.changed_by, first.note) == (
        "",
        "open",
        secretary,
        "登记需求",
    )


def test_a_project_added_in_the_admin_has_its_first_status_row_and_its_partners(aw, login):
    staff = aw.world.street_staff
    response = login(staff).post(
        reverse("admin:alliances_project_add"),
        {
            "title": "四点半课堂",
            "description": "",
            "alliance": aw.street_alliance.pk,
            "community": aw.world.community_a.pk,
            "lead_unit": aw.unit_a.pk,
            "partner_units": [aw.unit_b.pk],
            "budget": "0",
            "start_on": "",
            "end_on": "",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    project = Project.objects.get(title="四点半课堂")
    assert (project.status, project.created_by) == ("planned", staff)
    assert list(project.partner_units.all()) == [aw.unit_b]
    first = ProjectStatusChange.objects.get(project=project)
    assert (first.from_status, first.to_status, first.changed_by, first.note) == (
        "",
        "planned",
        staff,
        "在管理后台创建",
    )


def test_need_create_refuses_a_community_outside_the_scope(aw):
    # Fresh from the database: the fixture's node kept its tree values from before later inserts.
    community_b = Grid.objects.get(pk=aw.world.community_b.pk)
    need = Need(community=community_b, title="健身器材", kind="equipment")
    with pytest.raises(PermissionDenied):
        services.need_create(need=need, actor=aw.world.secretary_a, note="x")
    assert not Need.objects.exists() and not NeedStatusChange.objects.exists()


def test_project_create_refuses_a_liaison(aw):
    project = Project(
        title="义诊", alliance=aw.street_alliance, community=aw.world.community_a, lead_unit=aw.unit_a
    )
    with pytest.raises(PermissionDenied):
        services.project_create(project=project, actor=aw.liaison_a, note="x")
    assert not Project.objects.exists()
