"""Writes for volunteers, activities, service records and the points ledger."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from volunteers.models import PointsEntry, PointsRule


def _subject_node(subject):
    """The grid node a subject belongs to, found through its `scope_field`."""
    node = subject
    for step in subject.scope_field.split("__"):
        node = getattr(node, step)
    return node


def points_award(*, rule_code, subject, source, occurred_at=None, quantity=1, note=""):
    """Credit `subject` under the rule `rule_code` for `source`; safe to call twice.

    Returns the new entry, or None when nothing is owed: the rule does not
    exist or is not active on that day, or this source already earned it.
    `subject` is any model with `points_subject_kind` and `scope_field`.
    """
    occurred_at = occurred_at or timezone.now()
    rule = PointsRule.objects.filter(code=rule_code).first()
    if rule is None or not rule.is_active_on(timezone.localdate(occurred_at)):
        return None
    if subject.points_subject_kind != rule.subject_kind:
        raise ValueError(f"rule {rule_code} is for {rule.subject_kind}, not {subject.points_subject_kind}")
    node = _subject_node(subject)
    quantity = Decimal(str(quantity))
    entry = PointsEntry(
        rule=rule,
        subject_kind=rule.subject_kind,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        subject_label=str(subject)[:100],
        street_id=node.get_root().pk if node.parent_id else node.pk,
        grid=node,
        source_type=ContentType.objects.get_for_model(source),
        source_id=source.pk,
        quantity=quantity,
        points=(rule.points * quantity).quantize(Decimal("0.01")),
        occurred_at=occurred_at,
        note=note,
    )
    try:
        # A savepoint: a duplicate must not spoil the caller's transaction.
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        return None
    return entry


@transaction.atomic
def points_reverse(*, entry, note):
    """Cancel an entry with a reversing one, booked now (corrections post in the current period)."""
    entry = PointsEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.reverses_id is not None:
        raise ValueError("a reversing entry cannot itself be reversed")
    if PointsEntry.objects.filter(reverses=entry).exists():
        raise ValueError("this entry is already reversed")
    reversal = PointsEntry(
        rule=entry.rule,
        subject_kind=entry.subject_kind,
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
        subject_label=entry.subject_label,
        street=entry.street,
        grid=entry.grid,
        source_type=entry.source_type,
        source_id=entry.source_id,
        quantity=-entry.quantity,
        points=-entry.points,
        occurred_at=max(timezone.now(), entry.occurred_at + datetime.timedelta(seconds=1)),
        reverses=entry,
        note=note,
    )
    reversal.save()
    return reversal
