"""The one scoping rule.

Every staff user has a scope: one node of the grid tree (a street, a community
or a grid), or none for superusers. Everything they list, open, edit or export
is limited to that node's subtree, an MPTT range on the same tree:

    tree_id = scope.tree_id AND lft >= scope.lft AND rght <= scope.rght

Admin, views, selectors, exports, imports and jobs all go through
`scope_queryset` (lists) and `in_scope` (one object), so the rule lives here
and nowhere else. A model opts in by naming the path from itself to its grid
node in `scope_field` ("grid", "household__grid", or "" for the Grid itself).
"""

from dataclasses import dataclass

from django.apps import apps

_CACHE_ATTR = "_portal_subtree"


@dataclass(frozen=True)
class Subtree:
    """The lft/rght range of one grid node, the unit of scoping."""

    tree_id: int
    lft: int
    rght: int

    @classmethod
    def of(cls, node):
        return cls(tree_id=node.tree_id, lft=node.lft, rght=node.rght)

    def contains(self, node):
        return (
            node is not None
            and node.tree_id == self.tree_id
            and self.lft <= node.lft
            and node.rght <= self.rght
        )

    def lookups(self, prefix=""):
        return {
            f"{prefix}tree_id": self.tree_id,
            f"{prefix}lft__gte": self.lft,
            f"{prefix}rght__lte": self.rght,
        }


class _Everything:
    """Scope of a superuser: no restriction."""

    def contains(self, node):
        return node is not None


class _Nothing:
    """Scope of a user with no profile: sees nothing (fail closed)."""

    def contains(self, node):
        return False


EVERYTHING = _Everything()
NOTHING = _Nothing()


def scope_of(user):
    """The subtree a user may reach, cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    grid_model = apps.get_model("grids", "Grid")
    node = grid_model.objects.filter(staff_profiles__user=user).only("tree_id", "lft", "rght").first()
    scope = Subtree.of(node) if node is not None else NOTHING
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user):
    """Drop the cached scope, after the user's profile changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def scope_queryset(queryset, user, field=None):
    """Limit `queryset` to rows inside the user's subtree.

    `field` is the path from the model to its grid node; it defaults to the
    model's `scope_field`.
    """
    if field is None:
        field = getattr(queryset.model, "scope_field", None)
        if field is None:
            raise TypeError(f"{queryset.model.__name__} has no scope_field; pass field=")
    return limit_to_scope(queryset, scope_of(user), field)


def limit_to_scope(queryset, scope, field):
    """Rows of `queryset` inside `scope`: a Subtree, EVERYTHING or NOTHING.

    For jobs that work on a grid node rather than for a user (the dashboard's
    cached numbers); `scope_queryset` is this with the user's scope.
    """
    if scope is EVERYTHING:
        return queryset
    if scope is NOTHING:
        return queryset.none()
    if field == "":
        return queryset.filter(**scope.lookups())
    grid_model = apps.get_model("grids", "Grid")
    # A semi-join on the small grid table keeps the big table's index on its
    # grid column usable, and never multiplies rows.
    return queryset.filter(**{f"{field}__in": grid_model.objects.filter(**scope.lookups())})


def node_of(obj):
    """The grid node `obj` hangs from, following its model's `scope_field`."""
    node = obj
    for step in obj.scope_field.split("__"):
        node = getattr(node, step)
    return node


def in_scope(user, node):
    """Whether one grid node lies inside the user's subtree."""
    return scope_of(user).contains(node)


def scope_node(user):
    """The grid node that is the user's scope, or None (superuser or no profile)."""
    if user is None or not user.is_authenticated or user.is_superuser:
        return None
    grid_model = apps.get_model("grids", "Grid")
    return grid_model.objects.filter(staff_profiles__user=user).first()
