"""Roles are Django groups; each app lists the permissions its roles hold.

An app declares `PERMISSIONS = {Role.X: ["app.codename", ...]}` in its own
`roles.py`; `sync_roles` merges them and makes each group hold exactly those
permissions. It runs after every migrate and as `manage.py sync_roles`.
"""

from collections import defaultdict
from importlib import import_module

from django.apps import apps
from django.db import models, transaction
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STREET_STAFF = "street_staff", _("街道工作人员")
    COMMUNITY_SECRETARY = "community_secretary", _("社区书记")
    GRID_WORKER = "grid_worker", _("网格员")
    VOLUNTEER = "volunteer", _("志愿者/党员")
    UNIT_LIAISON = "unit_liaison", _("驻区单位联络员")


# Roles that work in the Django admin; the others use the phone pages.
ADMIN_ROLES = frozenset({Role.STREET_STAFF, Role.COMMUNITY_SECRETARY})

# Managing accounts below one's scope: the user and its scope (staff profile).
_ACCOUNTS = [
    "portal.view_user",
    "portal.add_user",
    "portal.change_user",
    "portal.view_staffprofile",
    "portal.add_staffprofile",
    "portal.change_staffprofile",
]

PERMISSIONS = {
    Role.STREET_STAFF: [
        "portal.view_personal_data",
        "portal.view_personaldatalog",
        *_ACCOUNTS,
    ],
    Role.COMMUNITY_SECRETARY: [
        "portal.view_personal_data",
        *_ACCOUNTS,
    ],
}


def role_permissions():
    """Every role's permission names, merged from all installed apps."""
    merged = defaultdict(set)
    for app_config in apps.get_app_configs():
        if not module_has_submodule(app_config.module, "roles"):
            continue
        module = import_module(f"{app_config.name}.roles")
        for role, names in getattr(module, "PERMISSIONS", {}).items():
            merged[Role(role)].update(names)
    return merged


def _permissions_by_name(names):
    from django.contrib.auth.models import Permission

    wanted = {tuple(name.split(".", 1)) for name in names}
    found = Permission.objects.filter(
        content_type__app_label__in={app for app, _code in wanted},
        codename__in={code for _app, code in wanted},
    ).select_related("content_type")
    return [p for p in found if (p.content_type.app_label, p.codename) in wanted]


@transaction.atomic
def sync_roles():
    """Create the role groups and give each exactly its listed permissions.

    Permissions that do not exist yet (an app not migrated) are skipped; the
    next run, at the end of the same migrate, picks them up.
    """
    from django.contrib.auth.models import Group

    mapping = role_permissions()
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set(_permissions_by_name(mapping.get(role, ())))


def missing_permissions():
    """Listed permission names that match no Permission row (typos, stale names)."""
    missing = []
    for names in role_permissions().values():
        found = {f"{p.content_type.app_label}.{p.codename}" for p in _permissions_by_name(names)}
        missing.extend(sorted(set(names) - found))
    return missing


def role_names(user):
    """The role codes a user holds, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._portal_roles = cached
    return cached


def has_role(user, *roles):
    return bool(role_names(user) & {Role(r).value for r in roles})


# Account management follows rank: superuser > street staff > community secretary
# > everyone else (grid workers, volunteers, unit liaisons). Staff manage only
# accounts ranked below their own, inside their scope; never a peer, a superior
# or their own account (their own password goes through /accounts/password_change/).
SUPERUSER_RANK = 4
_ROLE_RANK = {Role.STREET_STAFF: 3, Role.COMMUNITY_SECRETARY: 2}
BASE_RANK = 1


def role_rank(user):
    if user.is_superuser:
        return SUPERUSER_RANK
    names = role_names(user)
    return max((rank for role, rank in _ROLE_RANK.items() if role.value in names), default=BASE_RANK)


def roles_below(user):
    """The roles `user` may grant: those ranked below their own."""
    rank = role_rank(user)
    return [role for role in Role if _ROLE_RANK.get(role, BASE_RANK) < rank]


def accounts_manageable_by(queryset, user):
    """The accounts of `queryset` ranked below `user` (all of them for a superuser), never `user`."""
    if user.is_superuser:
        return queryset
    rank = role_rank(user)
    as_high = [role.value for role, role_rank_ in _ROLE_RANK.items() if role_rank_ >= rank]
    return (
        queryset.exclude(pk=user.pk).exclude(is_superuser=True).exclude(groups__name__in=as_high)
        if rank > BASE_RANK
        else queryset.none()
    )


def works_in_admin(user):
    """Superusers, street staff and secretaries; grid workers use phone pages."""
    return user.is_authenticated and (user.is_superuser or has_role(user, *ADMIN_ROLES))
