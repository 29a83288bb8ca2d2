import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from points.models import PointsEntry
from points.services import points_award, points_reverse
from tests.factories import VisitFactory, VolunteerFactory, points_rule


@pytest.fixture
def volunteer(world):
    return VolunteerFactory(community=world.community_a)


def test_it_awards_once_per_source(volunteer):
    source = VisitFactory()
    first = points_award(rule_code="visit_logged", subject=volunteer, source=source)
    second = points_award(rule_code="visit_logged", subject=volunteer, source=source)
    assert first is not None and first.points == Decimal("1.00")
    assert second is None
    assert PointsEntry.objects.count() == 1
    assert first.street_id == volunteer.community.parent_id
    assert first.grid_id == volunteer.community_id


def test_it_multiplies_hour_rules_by_quantity(volunteer):
    entry = points_award(rule_code="activity_hour", subject=volunteer, source=VisitFactory(), quantity="2.5")
    assert entry.points == Decimal("5.00")


def test_it_ignores_inactive_and_unknown_rules(volunteer):
    rule = points_rule("visit_logged")
    rule.active_until = timezone.localdate() - datetime.timedelta(days=1)
    rule.save()
    assert points_award(rule_code="visit_logged", subject=volunteer, source=VisitFactory()) is None
    assert points_award(rule_code="no_such_rule", subject=volunteer, source=VisitFactory()) is None


def test_it_refuses_a_rule_for_another_kind_of_subject(volunteer):
    with pytest.raises(ValueError):
        points_award(rule_code="meeting_attended", subject=volunteer, source=VisitFactory())


def test_entries_are_never_edited_or_deleted_but_reversed(volunteer):
    entry = points_award(rule_code="visit_logged", subject=volunteer, source=VisitFactory())
    entry.points = Decimal("100")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    reversal = points_reverse(entry=entry, note="录入错误")
    assert reversal.points == Decimal("-1.00")
    with pytest.raises(ValueError):
        points_reverse(entry=entry, note="again")
    assert sum(e.points for e in PointsEntry.objects.all()) == 0
