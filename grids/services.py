"""Writes for the red micro-grid: tree nodes, buildings, households, visits."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Grid, Household, Visit
from points.services import points_award_to_user
from portal.locks import advisory_xact_lock
from portal.privacy import personal_data_write_record
from portal.scoping import in_scope

TREE_LOCK = "grids.tree"


def _lock_tree():
    # django-mptt computes lft/rght from the values it last read, so two
    # concurrent inserts or moves would both claim the same gap and corrupt
    # the tree. Tree writes are rare; one lock for all of them is enough.
    advisory_xact_lock(TREE_LOCK)


def _fresh(node):
    return None if node is None else Grid.objects.get(pk=node.pk)


@transaction.atomic
def grid_create(*, name, code, kind, parent=None, address="", phone=""):
    _lock_tree()
    grid = Grid(name=name, code=code, kind=kind, parent=_fresh(parent), address=address, phone=phone)
    grid.full_clean()
    grid.save()
    return grid


@transaction.atomic
def grid_update(*, grid, name, code, kind, parent, address="", phone=""):
    """Rename or move a node; a move carries its whole subtree along."""
    _lock_tree()
    fresh = Grid.objects.get(pk=grid.pk)
    fresh.name, fresh.code, fresh.kind, fresh.address, fresh.phone = name, code, kind, address, phone
    fresh.parent = _fresh(parent)
    if fresh.parent is not None and fresh.parent.is_descendant_of(fresh, include_self=True):
        raise ValidationError({"parent": _("不能把节点移到它自己或它的下级之下。")})
    fresh.full_clean()
    fresh.save()
    return fresh


@transaction.atomic
def grid_delete(*, grid):
    _lock_tree()
    fresh = Grid.objects.get(pk=grid.pk)
    if not fresh.is_leaf_node():
        raise ValidationError(_("该节点还有下级节点，不能删除。"))
    fresh.delete()


def _require_in_scope(actor, grid):
    # The admin and the import offer only buildings in scope; this is the backstop.
    if not in_scope(actor, grid):
        raise PermissionDenied(_("该楼栋不在您的管辖范围内。"))


@transaction.atomic
def household_save(*, household, actor, via, changed_fields=()):
    """Create or update one household, recording the personal data it sets.

    `changed_fields` names what the caller changed on an existing household (an
    admin form's changed_data); `via` says where, for the access log.
    """
    _require_in_scope(actor, household.building.grid)
    is_new = household.pk is None
    household.full_clean()
    household.save()
    personal_data_write_record(
        actor=actor,
        via=via,
        created=[household] if is_new else (),
        changed=() if is_new else [household],
        changed_fields=changed_fields,
    )
    return household


@transaction.atomic
def households_import(*, households_new, households_changed, changed_fields, actor, via):
    """Write one batch of an imported sheet with bulk inserts and updates.

    The rows come validated by the import (grids.resources.HouseholdResource),
    which keeps each batch small. `changed_fields` are the columns written to
    the changed households. The personal data the batch sets is recorded by the
    same rule as household_save, in one entry for the batch.
    """
    households = [*households_new, *households_changed]
    for grid in {household.building.grid for household in households}:
        _require_in_scope(actor, grid)
    now = timezone.now()
    for household in households:
        # bulk_create and bulk_update skip save(), which derives these.
        household.grid_id = household.building.grid_id
        household.updated_at = now
    Household.objects.bulk_create(households_new)
    if households_changed:
        Household.objects.bulk_update(households_changed, [*changed_fields, "updated_at"])
    personal_data_write_record(
        actor=actor,
        via=via,
        created=households_new,
        changed=households_changed,
        changed_fields=changed_fields,
    )


@transaction.atomic
def resident_save(*, resident, actor, via, changed_fields=()):
    """Create or update one resident of a household, recording the personal data it sets."""
    _require_in_scope(actor, resident.household.grid)
    is_new = resident.pk is None
    resident.full_clean()
    resident.save()
    personal_data_write_record(
        actor=actor,
        via=via,
        created=[resident] if is_new else (),
        changed=() if is_new else [resident],
        changed_fields=changed_fields,
    )
    return resident


@transaction.atomic
def visit_log(*, visitor, household, method, findings, follow_up_needed=False, visited_at=None):
    """Record a household visit by someone whose scope holds the household."""
    household = Household.objects.select_related("grid").get(pk=household.pk)
    if not in_scope(visitor, household.grid):
        raise PermissionDenied(_("这户不在您负责的网格内。"))
    return visit_record(
        visitor=visitor,
        household=household,
        method=method,
        findings=findings,
        follow_up_needed=follow_up_needed,
        visited_at=visited_at,
    )


@transaction.atomic
def visit_record(*, visitor, household, method, findings, follow_up_needed=False, visited_at=None):
    """Write a visit and move the household's last-visited mark: the one place a visit is made.

    The caller has decided who may visit: `visit_log` by the grid scope, a
    pairing's partner (care.services.pairing_contact_log) by the pairing.
    """
    household = Household.objects.select_related("grid").get(pk=household.pk)
    visited_at = visited_at or timezone.now()
    if visited_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"visited_at": _("走访时间不能晚于现在。")})
    visit = Visit(
        household=household,
        grid=household.grid,
        visitor=visitor,
        visited_at=visited_at,
        method=method,
        findings=findings,
        follow_up_needed=follow_up_needed,
    )
    visit.full_clean()
    visit.save()
    # Greatest() keeps the mark right when an older visit is logged late.
    Household.objects.filter(pk=household.pk).update(
        last_visited_at=Greatest(Coalesce(F("last_visited_at"), visited_at), visited_at)
    )
    # A visitor who is also a registered volunteer earns visit_logged points.
    points_award_to_user(rule_code="visit_logged", user=visitor, source=visit)
    return visit


@transaction.atomic
def visit_follow_up_done(*, visit, user, note=""):
    """Mark a visit's follow-up done: lock, re-check, change."""
    visit = Visit.objects.select_for_update().select_related("grid").get(pk=visit.pk)
    if not in_scope(user, visit.grid):
        raise PermissionDenied(_("这条走访记录不在您的管辖范围内。"))
    if not visit.follow_up_needed:
        raise ValidationError(_("这次走访没有需要跟进的事项。"))
    if visit.follow_up_done_at is not None:
        raise ValidationError(_("这条跟进已经标记为完成。"))
    visit.follow_up_done_at = timezone.now()
    visit.follow_up_by = user
    visit.follow_up_note = note
    visit.save(update_fields=["follow_up_done_at", "follow_up_by", "follow_up_note"])
    return visit
