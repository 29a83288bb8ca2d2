"""The three-level grid tree and its writes."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from grids import services
from grids.models import Grid
from tests.factories import CommunityFactory, GridNodeFactory, HouseholdFactory, StreetFactory
from tests.utils import requires_postgresql


def _tree_is_consistent(tree_id):
    """Every node's lft/rght/level agree with a fresh walk of its parent links."""
    nodes = {g.pk: g for g in Grid.objects.filter(tree_id=tree_id)}
    children = {}
    for node in nodes.values():
        children.setdefault(node.parent_id, []).append(node)
    roots = children.get(None, [])
    assert len(roots) == 1
    counter = [0]

    def walk(node, level):
        counter[0] += 1
        assert node.lft == counter[0], node
        assert node.level == level, node
        for child in sorted(children.get(node.pk, []), key=lambda g: g.lft):
            walk(child, level + 1)
        counter[0] += 1
        assert node.rght == counter[0], node

    walk(roots[0], 0)
    return len(nodes)


def test_it_builds_street_community_grid(db):
    street = StreetFactory()
    community = CommunityFactory(parent=street)
    grid = GridNodeFactory(parent=community)
    assert (street.level, community.level, grid.level) == (0, 1, 2)
    assert _tree_is_consistent(street.tree_id) == 3


@pytest.mark.parametrize(
    "kind, parent_kind",
    [
        (Grid.Kind.COMMUNITY, None),
        (Grid.Kind.GRID, Grid.Kind.STREET),
        (Grid.Kind.COMMUNITY, Grid.Kind.COMMUNITY),
        (Grid.Kind.STREET, Grid.Kind.STREET),
    ],
)
def test_it_rejects_a_node_at_the_wrong_level(db, kind, parent_kind):
    parents = {None: None, Grid.Kind.STREET: StreetFactory, Grid.Kind.COMMUNITY: CommunityFactory}
    parent = parents[parent_kind]() if parent_kind else None
    with pytest.raises(ValidationError) as error:
        services.grid_create(name="X", code="BAD-1", kind=kind, parent=parent)
    assert "parent" in error.value.message_dict
    assert not Grid.objects.filter(code="BAD-1").exists()


def test_it_rejects_a_fourth_level(db):
    grid = GridNodeFactory()
    with pytest.raises(ValidationError):
        services.grid_create(name="X", code="BAD-2", kind=Grid.Kind.GRID, parent=grid)


def test_the_database_refuses_a_kind_that_does_not_match_the_depth(db):
    street = StreetFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Grid.objects.filter(pk=street.pk).update(kind=Grid.Kind.GRID)


def test_it_rejects_bad_and_duplicate_codes(db):
    street = StreetFactory(code="S99")
    with pytest.raises(ValidationError) as error:
        services.grid_create(name="X", code="s 1", kind=Grid.Kind.STREET)
    assert "code" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.grid_create(name="X", code=street.code, kind=Grid.Kind.STREET)
    assert "code" in error.value.message_dict


def test_moving_a_community_carries_its_grids_and_keeps_both_trees_consistent(db):
    old_street, new_street = StreetFactory(), StreetFactory()
    community = CommunityFactory(parent=old_street)
    grids = [GridNodeFactory(parent=community) for _ in range(3)]
    CommunityFactory(parent=new_street)

    services.grid_update(
        grid=community,
        name=community.name,
        code=community.code,
        kind=community.kind,
        parent=new_street,
    )

    new_street.refresh_from_db()
    assert set(Grid.objects.filter(parent__parent=new_street)) == set(grids)
    assert _tree_is_consistent(new_street.tree_id) == 6
    assert _tree_is_consistent(old_street.tree_id) == 1


def test_it_refuses_to_move_a_grid_under_a_street(db):
    grid = GridNodeFactory()
    with pytest.raises(ValidationError):
        services.grid_update(
            grid=grid, name=grid.name, code=grid.code, kind=grid.kind, parent=StreetFactory()
        )
    grid.refresh_from_db()
    assert grid.level == 2


def test_it_refuses_to_delete_a_node_with_children(db):
    community = CommunityFactory()
    GridNodeFactory(parent=community)
    with pytest.raises(ValidationError):
        services.grid_delete(grid=community)
    assert Grid.objects.filter(pk=community.pk).exists()


def test_a_grid_with_households_cannot_be_deleted(db):
    household = HouseholdFactory()
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        services.grid_delete(grid=household.grid)


@requires_postgresql
@pytest.mark.postgres
def test_concurrent_inserts_keep_the_tree_consistent(transactional_db):
    street = StreetFactory(code="CC")
    communities = [CommunityFactory(parent=street, code=f"CC-C{i}") for i in range(4)]
    errors = []
    barrier = threading.Barrier(24)

    def insert(n):
        try:
            barrier.wait()
            services.grid_create(
                name=f"网格{n}",
                code=f"CC-G{n:02d}",
                kind=Grid.Kind.GRID,
                parent=communities[n % len(communities)],
            )
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=insert, args=(n,)) for n in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert _tree_is_consistent(street.tree_id) == 1 + 4 + 24
