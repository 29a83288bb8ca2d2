"""The access vocabulary: the words every app's `access.py` and `selectors.py` are written in.

- `node_of(obj)`: the grid node an object belongs to, through its `scope_field`;
- `in_scope(user, node)`: the node lies inside the user's subtree (any role with a scope);
- `staff_over(user, node, perm=None)`: the user works in the admin (street staff,
  a secretary, a superuser), their subtree holds `node`, and they hold `perm` if one is named;
- `require(allowed, message=None)`: the guard a service starts with;
- `visible(queryset, user, also=None)`: the rows inside the user's subtree, plus
  those the `also` filter reaches for people without a staff scope (a liaison's
  own unit, a volunteer's street).

They all rest on the one scoping rule in `portal.scoping`.
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.utils.translation import gettext as _

from portal.roles import works_in_admin
from portal.scoping import EVERYTHING, in_scope, scope_of, scope_queryset

__all__ = ["in_scope", "node_of", "require", "staff_over", "visible"]


def node_of(obj):
    """The grid node `obj` belongs to: its model's `scope_field` path followed ("" is the node itself).

    None when a link on the way is missing (an unsaved or half-filled row).
    """
    node = obj
    try:
        for step in filter(None, obj.scope_field.split("__")):
            node = getattr(node, step)
    except ObjectDoesNotExist:
        return None
    return node


def staff_over(user, node, perm=None):
    """Staff (or a superuser) whose subtree holds `node`, holding `perm` when one is named."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and works_in_admin(user)
        and in_scope(user, node)
        and (perm is None or user.has_perm(perm))
    )


def visible(queryset, user, also=None):
    """Rows of `queryset` inside the user's subtree, or reached through the `also` filter (a Q)."""
    scoped = scope_queryset(queryset, user)
    if also is None or scope_of(user) is EVERYTHING:
        return scoped
    return scoped | queryset.filter(also)


def require(allowed, message=None):
    """Refuse (PermissionDenied, with a message for the person) unless `allowed`: the guard services use."""
    if not allowed:
        raise PermissionDenied(message or _("您没有权限进行此操作。"))
