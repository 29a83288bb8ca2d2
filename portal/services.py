from django.contrib.auth.models import Group
from django.db import transaction

from portal.models import StaffProfile, User
from portal.roles import ADMIN_ROLES, Role
from portal.scoping import forget_scope


@transaction.atomic
def user_create(*, username, full_name, phone=""):
    """A login without a usable password: its owner sets one through the reset link."""
    user = User(username=username, full_name=full_name, phone=phone)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_grant_role(*, user, role, scope=None, title=""):
    """Give `user` a role; staff roles also get their scope node."""
    role = Role(role)
    user.groups.add(Group.objects.get(name=role.value))
    _forget_roles(user)
    if role in ADMIN_ROLES and not user.is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=True)
        user.is_staff = True
    if scope is not None:
        StaffProfile.objects.update_or_create(user=user, defaults={"scope": scope, "title": title})
        forget_scope(user)
    return user


def _forget_roles(user):
    if hasattr(user, "_portal_roles"):
        del user._portal_roles
