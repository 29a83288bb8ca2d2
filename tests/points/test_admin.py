from decimal import Decimal

import pytest
from django.urls import reverse

from grids.services import visit_log
from points.models import PointsEntry, PointsRule
from points.services import points_award
from tests.factories import VisitFactory, VolunteerFactory, points_rule


@pytest.fixture
def entry(world):
    return points_award(
        rule_code="visit_logged", subject=VolunteerFactory(community=world.community_a), source=VisitFactory()
    )


def test_the_admin_cannot_add_change_or_delete_ledger_entries(entry, world, login):
    client = login(world.street_staff)
    assert client.get(reverse("admin:points_pointsentry_add")).status_code == 403
    change = client.post(reverse("admin:points_pointsentry_change", args=[entry.pk]), {"points": "100"})
    assert change.status_code == 403
    delete = client.post(reverse("admin:points_pointsentry_delete", args=[entry.pk]), {"post": "yes"})
    assert delete.status_code == 403
    bulk = client.post(
        reverse("admin:points_pointsentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    entry.refresh_from_db()
    assert entry.points == Decimal("1.00") and PointsEntry.objects.count() == 1


def test_editing_an_entry_in_code_is_refused(entry):
    entry.points = Decimal("9")
    with pytest.raises(PermissionError):
        entry.save()


def test_street_staff_reverse_an_entry_with_a_reason(entry, world, login):
    client = login(world.street_staff)
    url = reverse("points:entry_reverse", args=[entry.pk])
    refused = client.post(url, {"note": ""})
    assert refused.status_code == 400 and PointsEntry.objects.count() == 1
    client.post(url, {"note": "重复登记"})
    reversal = PointsEntry.objects.get(reverses=entry)
    assert reversal.points == Decimal("-1.00") and "重复登记" in reversal.note
    again = client.post(url, {"note": "再来一次"})
    assert "已经冲销过" in again.content.decode() and PointsEntry.objects.count() == 2


def test_the_admin_action_reverses_after_asking_for_a_reason(entry, world, login):
    client = login(world.street_staff)
    changelist = reverse("admin:points_pointsentry_changelist")
    ask = client.post(changelist, {"action": "reverse_entries", "_selected_action": [entry.pk]})
    assert ask.status_code == 200 and "冲销原因" in ask.content.decode()
    assert PointsEntry.objects.count() == 1
    client.post(
        changelist,
        {"action": "reverse_entries", "_selected_action": [entry.pk], "confirm": "1", "note": "录入错误"},
    )
    assert PointsEntry.objects.filter(reverses=entry).exists()


def test_secretaries_cannot_reverse(entry, world, login):
    client = login(world.secretary_a)
    assert client.post(reverse("points:entry_reverse", args=[entry.pk]), {"note": "想改"}).status_code == 403
    assert PointsEntry.objects.count() == 1


def test_street_staff_edit_a_rule_and_bad_values_are_explained(world, login):
    rule = points_rule("activity_hour")
    client = login(world.street_staff)
    url = reverse("points:rule_edit", args=[rule.pk])
    bad = client.post(
        url,
        {"name": "志愿服务时长", "points": "-3", "active_from": "2026-05-01", "active_until": "2026-01-01"},
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "分值应在 0 到 1000 之间" in html and "失效日期不能早于生效日期" in html
    assert PointsRule.objects.get(pk=rule.pk).points == Decimal("2")
    client.post(url, {"name": "志愿服务时长", "points": "3", "description": "每小时3分"})
    # The street gets a rule of its own; the district's default stays for the other streets.
    assert PointsRule.objects.get(code="activity_hour", street=world.street).points == Decimal("3")
    assert PointsRule.objects.get(pk=rule.pk).points == Decimal("2")


def test_booked_points_keep_their_value_when_a_rule_changes(entry, world, login):
    rule = points_rule("visit_logged")
    login(world.street_staff).post(
        reverse("points:rule_edit", args=[rule.pk]), {"name": rule.name, "points": "4"}
    )
    entry.refresh_from_db()
    assert entry.points == Decimal("1.00")


def test_secretaries_see_the_rules_but_cannot_edit_them(world, login):
    client = login(world.secretary_a)
    assert client.get(reverse("points:rules")).status_code == 200
    rule = points_rule("activity_hour")
    assert (
        client.post(reverse("points:rule_edit", args=[rule.pk]), {"name": "x", "points": "99"}).status_code
        == 403
    )
    assert PointsRule.objects.get(pk=rule.pk).points == Decimal("2")


def test_volunteers_cannot_open_the_rules(crew, login):
    assert login(crew.member_user).get(reverse("points:rules")).status_code == 403


def test_a_visit_earns_the_visitor_points_when_they_are_a_volunteer(world):
    VolunteerFactory(user=world.gridworker_a, community=world.community_a)
    visit = visit_log(
        visitor=world.gridworker_a, household=world.household_a, method="phone", findings="一切安好"
    )
    entry = PointsEntry.objects.get()
    assert entry.rule.code == "visit_logged" and entry.source_id == visit.pk


def test_a_visit_by_someone_without_a_volunteer_record_earns_nothing(world):
    visit_log(visitor=world.gridworker_a, household=world.household_a, method="phone", findings="一切安好")
    assert not PointsEntry.objects.exists()
