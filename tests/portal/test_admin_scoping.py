"""The one scoping rule on every admin screen of every scoped model."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import SCOPED_OBJECT_MAKERS
from tests.utils import result_pks

SCOPED_ADMIN_MODELS = sorted(
    (model for model in admin.site._registry if getattr(model, "scope_field", None) is not None),
    key=lambda model: model._meta.label,
)


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _can_view(user, model):
    return user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")


def test_every_scoped_admin_model_has_an_object_maker():
    missing = [m._meta.label for m in SCOPED_ADMIN_MODELS if m not in SCOPED_OBJECT_MAKERS]
    assert missing == []


def test_every_admin_model_is_scoped():
    # A model without scope_field would be listed unfiltered to every staff user.
    unscoped = [
        model._meta.label
        for model in admin.site._registry
        if getattr(model, "scope_field", None) is None
        and model._meta.app_label
        in {"portal", "grids", "wishes", "cases", "volunteers", "alliances", "care", "deliberation"}
    ]
    assert unscoped == []


@pytest.mark.parametrize("model", SCOPED_ADMIN_MODELS, ids=lambda m: m._meta.label)
@pytest.mark.parametrize(
    "viewer, home, elsewhere",
    [
        ("secretary_a", "community_a", "community_b"),
        ("street_staff", "community_a", "community_c"),
    ],
)
def test_staff_see_only_their_subtree(world, login, model, viewer, home, elsewhere):
    user = getattr(world, viewer)
    mine = SCOPED_OBJECT_MAKERS[model](getattr(world, home))
    theirs = SCOPED_OBJECT_MAKERS[model](getattr(world, elsewhere))
    client = login(user)

    changelist = client.get(_url(model, "changelist"))
    if not _can_view(user, model):
        assert changelist.status_code == 403
        return
    assert changelist.status_code == 200
    assert mine.pk in result_pks(changelist)
    assert theirs.pk not in result_pks(changelist)

    assert client.get(_url(model, "change", theirs.pk)).status_code == 404
    assert client.get(_url(model, "history", theirs.pk)).status_code == 404
    assert client.get(_url(model, "delete", theirs.pk)).status_code in (403, 404)
    assert client.post(_url(model, "delete", theirs.pk), {"post": "yes"}).status_code in (403, 404)
    assert model._default_manager.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("model", SCOPED_ADMIN_MODELS, ids=lambda m: m._meta.label)
def test_street_staff_reach_every_community_of_their_street(world, login, model):
    client = login(world.street_staff)
    if not _can_view(world.street_staff, model):
        pytest.fail(f"street staff cannot view {model._meta.label}")
    for community in (world.community_a, world.community_b):
        obj = SCOPED_OBJECT_MAKERS[model](community)
        assert client.get(_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", SCOPED_ADMIN_MODELS, ids=lambda m: m._meta.label)
def test_staff_without_scope_see_nothing(world, login, model):
    SCOPED_OBJECT_MAKERS[model](world.community_a)
    user = world.unscoped_staff
    response = login(user).get(_url(model, "changelist"))
    # No role, so no permission: the admin refuses outright.
    assert response.status_code == 403


def test_superuser_sees_every_street(world, login):
    response = login(world.superuser).get(_url(type(world.grid_a), "changelist"))
    pks = result_pks(response)
    assert {world.grid_a.pk, world.grid_b.pk, world.grid_c.pk} <= pks
