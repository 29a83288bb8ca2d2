"""seed_demo builds a street at the scale of the case reports, and a second run changes nothing."""

import io

from django.apps import apps
from django.core.management import call_command

from care.models import Pairing
from grids.models import Grid, GridAssignment, Household, Resident, Visit
from portal.models import User
from portal.roles import Role, has_role
from portal.scoping import scope_node


def _counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"portal", "grids", "volunteers", "alliances", "care", "wishes"}
    }


def _seed():
    out = io.StringIO()
    call_command("seed_demo", "--password", "demo-pass-1", stdout=out)
    return out.getvalue()


def test_seed_demo_builds_one_street_at_scale_once(db, client):
    output = _seed()
    first = _counts()

    street = Grid.objects.get(kind=Grid.Kind.STREET)
    assert Grid.objects.filter(kind=Grid.Kind.COMMUNITY).count() == 12
    assert Grid.objects.filter(kind=Grid.Kind.GRID).count() >= 36
    assert street.get_descendant_count() == Grid.objects.count() - 1
    assert Household.objects.count() == 16_000
    assert 44_000 <= Resident.objects.count() <= 48_000
    assert Resident.objects.filter(is_party_member=True).count() == 891
    assert GridAssignment.objects.values("person").distinct().count() == 786
    assert set(Household.objects.values_list("category", flat=True).distinct()) == set(
        Household.Category.values
    )
    assert Visit.objects.count() > 10_000

    # Most vulnerable households have a partner in force, and volunteer1 is one.
    vulnerable = Household.objects.filter(category__in=Household.VULNERABLE)
    paired = vulnerable.filter(pk__in=Pairing.objects.current().values("household_id")).count()
    assert 0.7 < paired / vulnerable.count() < 1
    assert set(Pairing.objects.values_list("partner_kind", flat=True).distinct()) == set(
        Pairing.PartnerKind.values
    )
    assert Pairing.objects.filter(partner__username="volunteer1").exists()

    # The demo logins, with their roles and scopes.
    street_login = User.objects.get(username="street")
    assert has_role(street_login, Role.STREET_STAFF) and scope_node(street_login) == street
    for n in (1, 12):
        secretary = User.objects.get(username=f"secretary{n}")
        assert has_role(secretary, Role.COMMUNITY_SECRETARY)
        assert scope_node(secretary).kind == Grid.Kind.COMMUNITY
    assert scope_node(User.objects.get(username="gridworker786")).kind == Grid.Kind.GRID
    assert User.objects.filter(username__regex=r"^volunteer\d+$").count() >= 200
    assert User.objects.filter(username__regex=r"^unit\d+$").count() == 30
    assert street_login.check_password("demo-pass-1")
    assert "secretary1 … secretary12 (12)" in output

    # secretary1 sees only their own community.
    secretary = User.objects.get(username="secretary1")
    client.force_login(secretary)
    changelist = client.get("/admin/grids/household/").context["cl"]
    community = scope_node(secretary)
    assert changelist.queryset.count() == Household.objects.filter(grid__parent=community).count() > 0
    assert all(h.grid.parent_id == community.pk for h in changelist.result_list)

    # A second run changes nothing.
    again = _seed()
    assert _counts() == first
    assert "already there" in again
