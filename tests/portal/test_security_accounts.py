"""Account management follows rank: staff manage only accounts below their own, inside their scope.

superuser > street staff > community secretary > grid worker / volunteer / unit
liaison. Nobody takes over or demotes a peer, a superior or their own account
through the admin, and saving a page never drops what the page did not show.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from portal.models import User
from portal.roles import Role
from tests.factories import make_user


def _change(user):
    return reverse("admin:portal_user_change", args=[user.pk])


def _password(user):
    return reverse("admin:auth_user_password_change", args=[user.pk])


def _unchanged_post(client, user):
    """The change form of `user` posted back exactly as the page showed it."""
    page = client.get(_change(user))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if field.disabled or name == "password":
            continue
        if isinstance(value, list | tuple):
            # A browser sends only the options the page offered.
            offered = {str(pk) for pk in field.queryset.values_list("pk", flat=True)}
            data[name] = [str(v) for v in value if str(v) in offered]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for inline_form in formset.formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value not in (None, False):
                    data[inline_form.add_prefix(name)] = "on" if value is True else str(value)
    return client.post(_change(user), data)


@pytest.fixture
def peer(world):
    return make_user(Role.COMMUNITY_SECRETARY, world.community_a, username="secretary_a2")


def test_a_secretary_cannot_open_or_set_the_password_of_a_peer(login, world, peer):
    client = login(world.secretary_a)
    assert client.get(_change(peer)).status_code == 404
    response = client.post(_password(peer), {"password1": "taken-over-123", "password2": "taken-over-123"})
    assert response.status_code == 404
    peer.refresh_from_db()
    assert peer.check_password("pass-12345") and not peer.check_password("taken-over-123")
    changelist = client.get(reverse("admin:portal_user_changelist"))
    listed = {u.pk for u in changelist.context["cl"].result_list}
    assert peer.pk not in listed and world.gridworker_a.pk in listed


def test_nobody_manages_a_superior_or_their_own_account_in_the_admin(login, world):
    secretary = login(world.secretary_a)
    assert secretary.get(_change(world.street_staff)).status_code == 404
    assert secretary.get(_change(world.secretary_a)).status_code == 404
    assert secretary.post(_change(world.secretary_a), {"username": "secretary_a"}).status_code == 404
    street = login(world.street_staff)
    assert street.get(_change(world.street_staff)).status_code == 404
    assert street.get(_change(world.superuser)).status_code == 404
    assert street.get(_change(world.secretary_a)).status_code == 200  # below, and in the street
    user = User.objects.get(pk=world.secretary_a.pk)
    assert user.is_staff and user.groups.filter(name=Role.COMMUNITY_SECRETARY).exists()


def test_a_street_colleague_is_a_peer_too(login, world):
    colleague = make_user(Role.STREET_STAFF, world.street, username="street2")
    client = login(world.street_staff)
    assert client.get(_change(colleague)).status_code == 404
    assert client.get(_password(colleague)).status_code == 404


def test_a_secretary_manages_the_grid_workers_of_their_community(login, world):
    client = login(world.secretary_a)
    response = client.post(
        _password(world.gridworker_a), {"password1": "new-pass-4567", "password2": "new-pass-4567"}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=world.gridworker_a.pk).check_password("new-pass-4567")


def test_saving_an_account_unchanged_keeps_groups_not_offered_and_the_staff_flag(login, world):
    worker = User.objects.get(pk=world.gridworker_a.pk)
    special = Group.objects.create(name="专项工作组")
    worker.groups.add(special)
    User.objects.filter(pk=worker.pk).update(is_staff=True)  # given by a superuser on purpose
    response = _unchanged_post(login(world.secretary_a), worker)
    assert response.status_code == 302, response.context["adminform"].form.errors
    worker = User.objects.get(pk=worker.pk)
    assert set(worker.groups.values_list("name", flat=True)) == {Role.GRID_WORKER, "专项工作组"}
    assert worker.is_staff
    assert worker.staff_profile.scope == world.grid_a


def test_street_staff_saving_a_secretary_unchanged_keeps_the_role_and_admin_access(login, world):
    response = _unchanged_post(login(world.street_staff), world.secretary_a)
    assert response.status_code == 302
    secretary = User.objects.get(pk=world.secretary_a.pk)
    assert secretary.is_staff and not secretary.is_superuser
    assert list(secretary.groups.values_list("name", flat=True)) == [Role.COMMUNITY_SECRETARY]
    assert secretary.staff_profile.scope == world.community_a


def test_only_lower_roles_can_be_granted(login, world):
    secretary_group = Group.objects.get(name=Role.COMMUNITY_SECRETARY)
    street_group = Group.objects.get(name=Role.STREET_STAFF)
    page = login(world.street_staff).get(_change(world.gridworker_a))
    offered = set(page.context["adminform"].form.fields["groups"].queryset)
    assert secretary_group in offered and street_group not in offered
    page = login(world.secretary_a).get(_change(world.gridworker_a))
    offered = set(page.context["adminform"].form.fields["groups"].queryset)
    assert secretary_group not in offered and street_group not in offered
