import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from points.models import PointsEntry
from tests.factories import VolunteerFactory, make_user, record_for
from tests.volunteers.conftest import finished, running
from volunteers.models import ServiceRecord
from volunteers.services import (
    attendance_check_in,
    attendance_check_out,
    attendance_check_out_all,
    attendance_mark_away,
    service_record_add_manual,
    service_record_update,
    service_record_verify,
    service_records_verify,
    signup_create,
)
from volunteers.tokens import checkin_token

QR, ORGANISER = ServiceRecord.Source.QR, ServiceRecord.Source.ORGANISER


@pytest.fixture
def signed(crew):
    signup_create(activity=crew.activity, volunteer=crew.member)
    running(crew.activity)
    return crew


def test_the_organiser_checks_in_and_out_and_hours_follow_the_clock(signed):
    c = signed
    record = attendance_check_in(
        activity=c.activity, volunteer=c.member, user=c.leader_user, source=ORGANISER
    )
    assert record.attendance == ServiceRecord.Attendance.LATE  # 30 minutes after the start
    out_at = timezone.now() + datetime.timedelta(hours=2)
    record = attendance_check_out(activity=c.activity, volunteer=c.member, user=c.leader_user, now=out_at)
    assert record.hours == Decimal("2.0")
    assert record.recorded_by == c.leader_user and not record.is_verified


def test_hours_never_exceed_the_activity(signed):
    c = signed
    attendance_check_in(activity=c.activity, volunteer=c.member, user=c.leader_user, source=ORGANISER)
    late_click = c.activity.ends_at + datetime.timedelta(hours=5)
    record = attendance_check_out(activity=c.activity, volunteer=c.member, user=c.leader_user, now=late_click)
    assert record.ended_at == c.activity.ends_at
    assert record.hours == Decimal("2.5")  # from check-in (30 min after start) to the end


def test_it_refuses_to_check_in_twice_or_someone_not_signed_up(signed, world):
    c = signed
    attendance_check_in(activity=c.activity, volunteer=c.member, user=c.leader_user, source=ORGANISER)
    with pytest.raises(ValidationError, match="已于"):
        attendance_check_in(activity=c.activity, volunteer=c.member, user=c.leader_user, source=ORGANISER)
    stranger = VolunteerFactory(community=world.community_a)
    with pytest.raises(ValidationError, match="没有报名"):
        attendance_check_in(activity=c.activity, volunteer=stranger, user=c.leader_user, source=ORGANISER)
    assert ServiceRecord.objects.count() == 1


def test_check_in_opens_shortly_before_the_start(crew):
    signup_create(activity=crew.activity, volunteer=crew.member)  # tomorrow
    with pytest.raises(ValidationError, match="签到将于"):
        attendance_check_in(activity=crew.activity, volunteer=crew.member, user=crew.member_user, source=QR)
    assert not ServiceRecord.objects.exists()


def test_only_the_organiser_checks_people_in(signed, world):
    with pytest.raises(PermissionDenied):
        attendance_check_in(
            activity=signed.activity, volunteer=signed.member, user=world.secretary_b, source=ORGANISER
        )
    # The secretary of the activity's community may.
    attendance_check_in(
        activity=signed.activity, volunteer=signed.member, user=world.secretary_a, source=ORGANISER
    )


def test_bulk_check_out_ends_everyone_at_the_end(signed, world):
    c = signed
    other = VolunteerFactory(community=world.community_b)
    signup_create(
        activity=c.activity, volunteer=other, now=c.activity.signup_opens_at + datetime.timedelta(hours=1)
    )
    for v in (c.member, other):
        attendance_check_in(activity=c.activity, volunteer=v, user=c.leader_user, source=ORGANISER)
    after = c.activity.ends_at + datetime.timedelta(minutes=40)
    records = attendance_check_out_all(activity=c.activity, user=c.leader_user, now=after)
    assert len(records) == 2
    assert {r.ended_at for r in ServiceRecord.objects.all()} == {c.activity.ends_at}
    with pytest.raises(ValidationError, match="没有需要签退"):
        attendance_check_out_all(activity=c.activity, user=c.leader_user, now=after)


def test_leave_and_absence_carry_no_hours(signed):
    c = signed
    record = attendance_mark_away(
        activity=c.activity, volunteer=c.member, user=c.leader_user, attendance=ServiceRecord.Attendance.LEAVE
    )
    assert record.hours == 0 and record.attendance == "leave"
    record.refresh_from_db()
    with pytest.raises(ValidationError, match="请假或缺勤的记录不能有服务时长"):
        service_record_update(record=record, user=c.leader_user, hours="2")


def test_hours_can_be_corrected_before_verification_but_not_beyond_the_activity(signed):
    c = signed
    attendance_check_in(activity=c.activity, volunteer=c.member, user=c.leader_user, source=ORGANISER)
    record = attendance_check_out(activity=c.activity, volunteer=c.member, user=c.leader_user)
    service_record_update(record=record, user=c.leader_user, hours="1.5", evaluation="good")
    record.refresh_from_db()
    assert record.hours == Decimal("1.5") and record.evaluation == "good"
    with pytest.raises(ValidationError, match="不能超过活动时长"):
        service_record_update(record=record, user=c.leader_user, hours="7")
    record.refresh_from_db()
    assert record.hours == Decimal("1.5")


# --- verification ---------------------------------------------------------------------------------


def _checked_out(c, hours="3.0"):
    finished(c.activity)
    return record_for(c.activity, c.member, hours=hours)


def test_unverified_hours_earn_nothing_and_do_not_count(crew, login):
    _checked_out(crew)
    assert not PointsEntry.objects.exists()
    html = login(crew.member_user).get(reverse("dashboard:me")).content.decode()
    assert "另有 3.0 小时待核验" in html
    assert ServiceRecord.objects.get().counts is False


def test_verification_makes_hours_count_and_awards_points_once(crew):
    record = _checked_out(crew, hours="2.5")
    result = service_records_verify(activity=crew.activity, user=crew.leader_user)
    assert result.verified == 1 and result.points == 1
    entry = PointsEntry.objects.get()
    assert entry.points == Decimal("5.00") and entry.quantity == Decimal("2.50")
    assert entry.source_id == record.pk and entry.rule.code == "activity_hour"
    with pytest.raises(ValidationError, match="没有待核验"):
        service_records_verify(activity=crew.activity, user=crew.leader_user)
    assert PointsEntry.objects.count() == 1


def test_verified_records_cannot_be_changed(crew):
    record = _checked_out(crew)
    service_records_verify(activity=crew.activity, user=crew.leader_user)
    record.refresh_from_db()
    with pytest.raises(ValidationError, match="已核验"):
        service_record_update(record=record, user=crew.leader_user, hours="1")
    with pytest.raises(ValidationError, match="已核验"):
        service_record_verify(record=record, user=crew.leader_user)


def test_nobody_verifies_their_own_hours(crew, world):
    finished(crew.activity)
    record_for(crew.activity, crew.leader)
    result = service_records_verify(activity=crew.activity, user=crew.leader_user)
    assert result.verified == 0 and result.own_skipped == 1
    assert not PointsEntry.objects.exists()
    result = service_records_verify(activity=crew.activity, user=world.secretary_a)
    assert result.verified == 1 and PointsEntry.objects.count() == 1


def test_verification_waits_until_everyone_is_checked_out(signed):
    c = signed
    attendance_check_in(activity=c.activity, volunteer=c.member, user=c.leader_user, source=ORGANISER)
    with pytest.raises(ValidationError, match="没有签退"):
        service_records_verify(activity=c.activity, user=c.leader_user)
    assert ServiceRecord.objects.get().verified_at is None


def test_verification_records_no_shows_as_absent(signed):
    finished(signed.activity)
    result = service_records_verify(activity=signed.activity, user=signed.leader_user)
    record = ServiceRecord.objects.get()
    assert result.absent == 1 and record.attendance == "absent" and record.hours == 0 and record.is_verified
    assert not PointsEntry.objects.exists()


def test_staff_of_another_community_cannot_verify(crew, world):
    _checked_out(crew)
    with pytest.raises(PermissionDenied):
        service_records_verify(activity=crew.activity, user=world.secretary_b)
    assert ServiceRecord.objects.get().verified_at is None


def test_manual_records_are_checked_like_any_other(crew, world):
    finished(crew.activity)
    record = service_record_add_manual(
        activity=crew.activity, volunteer=crew.member, user=world.secretary_a, hours="2"
    )
    assert record.source == "manual" and record.hours == Decimal("2.0")
    with pytest.raises(ValidationError, match="已有这次活动"):
        service_record_add_manual(
            activity=crew.activity, volunteer=crew.member, user=world.secretary_a, hours="1"
        )
    outsider = VolunteerFactory(community=world.community_c)
    with pytest.raises(ValidationError, match="不是本街道"):
        service_record_add_manual(
            activity=crew.activity, volunteer=outsider, user=world.secretary_a, hours="1"
        )


# --- QR check-in -------------------------------------------------------------------------------------


def test_scanning_the_qr_code_checks_a_volunteer_in(signed, login):
    client = login(signed.member_user)
    url = reverse("volunteers:checkin", args=[checkin_token(signed.activity)])
    page = client.get(url)
    assert "确认签到" in page.content.decode()
    assert not ServiceRecord.objects.exists()  # a GET changes nothing
    response = client.post(url, follow=True)
    assert "签到成功" in response.content.decode()
    assert ServiceRecord.objects.get().source == QR


def test_an_expired_qr_code_is_refused(signed, login, settings):
    settings.VOLUNTEER_CHECKIN_QR_MINUTES = 1
    token = checkin_token(signed.activity)
    later = datetime.datetime.now().timestamp() + 120
    import time as time_module

    real_time = time_module.time
    time_module.time = lambda: later
    try:
        response = login(signed.member_user).post(reverse("volunteers:checkin", args=[token]))
    finally:
        time_module.time = real_time
    assert response.status_code == 410
    assert "二维码已过期" in response.content.decode()
    assert not ServiceRecord.objects.exists()


def test_a_tampered_qr_code_is_not_found(signed, login, crew):
    token = checkin_token(signed.activity)
    forged = f"{signed.activity.pk + 1}:{token.split(':', 1)[1]}"
    client = login(signed.member_user)
    assert client.post(reverse("volunteers:checkin", args=[forged])).status_code == 404
    assert not ServiceRecord.objects.exists()


# --- the organiser's pages --------------------------------------------------------------------------


def test_the_leader_runs_attendance_from_the_phone_page(signed, login):
    c = signed
    client = login(c.leader_user)
    page = client.get(reverse("volunteers:attendance", args=[c.activity.pk]))
    assert page.status_code == 200 and "李志愿" in page.content.decode()
    mark = reverse("volunteers:attendance_mark", args=[c.activity.pk])
    client.post(mark, {"volunteer": c.member.pk, "action": "check_in"})
    client.post(reverse("volunteers:attendance_check_out_all", args=[c.activity.pk]))
    record = ServiceRecord.objects.get()
    assert record.ended_at is not None
    client.post(
        reverse("volunteers:record_update", args=[record.pk]), {"hours": "0.5", "evaluation": "excellent"}
    )
    response = client.post(reverse("volunteers:activity_verify", args=[c.activity.pk]), follow=True)
    assert "已核验 1 条记录" in response.content.decode()
    record.refresh_from_db()
    assert record.is_verified and record.hours == Decimal("0.5") and record.evaluation == "excellent"


def test_a_bad_hours_value_gets_a_message_and_changes_nothing(signed, login):
    c = signed
    finished(c.activity)
    record = record_for(c.activity, c.member)
    response = login(c.leader_user).post(
        reverse("volunteers:record_update", args=[record.pk]), {"hours": "abc"}, follow=True
    )
    assert "请填写数字" in response.content.decode() or "输入一个数字" in response.content.decode()
    record.refresh_from_db()
    assert record.hours == Decimal("3.0")


@pytest.mark.parametrize("viewer", ["member", "secretary_b", "street_staff_other"])
def test_the_attendance_page_is_denied_to_others(signed, login, world, viewer):
    users = {
        "member": signed.member_user,
        "secretary_b": world.secretary_b,
        "street_staff_other": make_user("street_staff", world.other_street, username="staff_t"),
    }
    client = login(users[viewer])
    for name in ("attendance", "activity_qr", "activity_edit"):
        assert client.get(reverse(f"volunteers:{name}", args=[signed.activity.pk])).status_code == 404
    response = client.post(
        reverse("volunteers:attendance_mark", args=[signed.activity.pk]),
        {"volunteer": signed.member.pk, "action": "check_in"},
    )
    assert response.status_code == 404
    for name in ("activity_verify", "attendance_check_out_all", "attendance_add", "activity_cancel"):
        assert client.post(reverse(f"volunteers:{name}", args=[signed.activity.pk])).status_code == 404
    assert not ServiceRecord.objects.exists()
    record = record_for(signed.activity, signed.member)
    response = client.post(reverse("volunteers:record_update", args=[record.pk]), {"hours": "0.5"})
    assert response.status_code == 404
    record.refresh_from_db()
    assert record.hours == Decimal("3.0")


def test_the_qr_page_shows_a_code_for_the_check_in_link(signed, login):
    html = (
        login(signed.leader_user)
        .get(reverse("volunteers:activity_qr", args=[signed.activity.pk]))
        .content.decode()
    )
    assert 'src="data:image/png;base64,' in html and 'http-equiv="refresh"' in html
