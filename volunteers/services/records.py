"""Attendance and service records: check-in and check-out, absences, hours, verification, statements."""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from points.services import points_award
from volunteers.access import can_organise, can_verify
from volunteers.models import (
    PRESENT,
    Activity,
    ServiceRecord,
    ServiceStatement,
    hours_between,
)
from volunteers.services.common import active_signups, local_time, lock_activity, same_street


def _record_for(activity, volunteer):
    return ServiceRecord.objects.select_for_update().filter(activity=activity, volunteer=volunteer).first()


def _new_record(activity, volunteer, user, source, now):
    return ServiceRecord(
        activity=activity,
        volunteer=volunteer,
        team=activity.team,
        community=activity.community,
        service_date=timezone.localdate(activity.starts_at),
        place=activity.place,
        content=f"{activity.get_category_display()}：{activity.title}"[:200],
        source=source,
        recorded_by=user,
        recorded_at=now,
    )


def _require_signed_up(activity, volunteer, by_organiser):
    if not active_signups(activity).filter(volunteer=volunteer).exists():
        if by_organiser:
            raise ValidationError(_("%(name)s 没有报名这个活动。") % {"name": volunteer})
        raise ValidationError(_("您没有报名这个活动，请联系组织者。"))


def _refuse_if_verified(record):
    if record is not None and record.is_verified:
        raise ValidationError(_("%(name)s 的记录已核验，不能再修改。") % {"name": record.volunteer})


def service_hours(activity, started_at, ended_at):
    """Hours actually served inside the activity's time: travel and waiting excluded."""
    if started_at is None or ended_at is None:
        return Decimal("0.0")
    return hours_between(max(started_at, activity.starts_at), min(ended_at, activity.ends_at))


@transaction.atomic
def attendance_check_in(*, activity, volunteer, user, source, now=None):
    """Check a signed-up volunteer in, by the organiser or by the volunteer's own QR scan."""
    now = now or timezone.now()
    activity = lock_activity(activity)
    by_organiser = source != ServiceRecord.Source.QR
    if by_organiser and not can_organise(user, activity):
        raise PermissionDenied
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError(_("该活动已取消。"))
    opens = activity.starts_at - datetime.timedelta(minutes=settings.VOLUNTEER_CHECKIN_OPENS_MINUTES)
    if now < opens:
        raise ValidationError(
            _("签到将于活动开始前 %(n)s 分钟开放。") % {"n": settings.VOLUNTEER_CHECKIN_OPENS_MINUTES}
        )
    if now >= activity.ends_at:
        raise ValidationError(_("活动已结束，不能再签到；如需补录请联系组织者。"))
    _require_signed_up(activity, volunteer, by_organiser)
    record = _record_for(activity, volunteer)
    _refuse_if_verified(record)
    if record is not None and record.started_at is not None:
        raise ValidationError(
            _("%(name)s 已于 %(time)s 签到。") % {"name": volunteer, "time": local_time(record.started_at)}
        )
    if record is None:
        record = _new_record(activity, volunteer, user, source, now)
    late = now > activity.starts_at + datetime.timedelta(minutes=settings.VOLUNTEER_LATE_MINUTES)
    record.attendance = ServiceRecord.Attendance.LATE if late else ServiceRecord.Attendance.NORMAL
    record.started_at, record.ended_at, record.hours = now, None, Decimal("0.0")
    record.source, record.recorded_by, record.recorded_at = source, user, now
    record.save()
    return record


def _check_out(activity, record, now):
    record.ended_at = max(min(now, activity.ends_at), record.started_at)
    record.hours = service_hours(activity, record.started_at, record.ended_at)
    record.save(update_fields=["ended_at", "hours"])
    return record


@transaction.atomic
def attendance_check_out(*, activity, volunteer, user, now=None):
    now = now or timezone.now()
    activity = lock_activity(activity)
    if not can_organise(user, activity):
        raise PermissionDenied
    record = _record_for(activity, volunteer)
    _refuse_if_verified(record)
    if record is None or record.started_at is None:
        raise ValidationError(_("%(name)s 还没有签到，不能签退。") % {"name": volunteer})
    if record.ended_at is not None:
        raise ValidationError(
            _("%(name)s 已于 %(time)s 签退。") % {"name": volunteer, "time": local_time(record.ended_at)}
        )
    return _check_out(activity, record, now)


@transaction.atomic
def attendance_check_out_all(*, activity, user, now=None):
    """Check out everyone still on site, at the end of the activity (or now, if earlier)."""
    now = now or timezone.now()
    activity = lock_activity(activity)
    if not can_organise(user, activity):
        raise PermissionDenied
    on_site = ServiceRecord.objects.select_for_update().filter(
        activity=activity, started_at__isnull=False, ended_at__isnull=True, verified_at__isnull=True
    )
    records = [_check_out(activity, record, now) for record in on_site.order_by("pk")]
    if not records:
        raise ValidationError(_("没有需要签退的人。"))
    return records


@transaction.atomic
def attendance_mark_away(*, activity, volunteer, user, attendance, now=None):
    """Record a signed-up volunteer as on leave (请假) or absent (缺勤): no hours."""
    now = now or timezone.now()
    if attendance not in (ServiceRecord.Attendance.LEAVE, ServiceRecord.Attendance.ABSENT):
        raise ValidationError(_("只能登记请假或缺勤。"))
    activity = lock_activity(activity)
    if not can_organise(user, activity):
        raise PermissionDenied
    _require_signed_up(activity, volunteer, by_organiser=True)
    record = _record_for(activity, volunteer)
    _refuse_if_verified(record)
    if record is not None and record.started_at is not None:
        raise ValidationError(_("%(name)s 已签到，不能登记为请假或缺勤。") % {"name": volunteer})
    if record is None:
        record = _new_record(activity, volunteer, user, ServiceRecord.Source.ORGANISER, now)
    record.attendance, record.hours = attendance, Decimal("0.0")
    record.recorded_by, record.recorded_at = user, now
    record.save()
    return record


def _clean_hours(activity, hours, attendance):
    try:
        hours = Decimal(str(hours)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("服务时长请填写数字，例如 2.5。")) from None
    if hours < 0:
        raise ValidationError(_("服务时长不能为负数。"))
    if hours > activity.duration_hours:
        raise ValidationError(
            _("服务时长不能超过活动时长 %(h)s 小时（不含往返路程）。") % {"h": activity.duration_hours}
        )
    if hours > 0 and attendance not in PRESENT:
        raise ValidationError(_("请假或缺勤的记录不能有服务时长。"))
    return hours


@transaction.atomic
def service_record_update(*, record, user, hours, evaluation="", note=""):
    """The organiser corrects hours (e.g. someone left early) and adds an evaluation, before verification."""
    activity = lock_activity(record.activity)
    if not can_organise(user, activity):
        raise PermissionDenied
    record = ServiceRecord.objects.select_for_update().select_related("volunteer").get(pk=record.pk)
    _refuse_if_verified(record)
    if record.is_on_site:
        raise ValidationError(_("%(name)s 还没有签退，请先签退再调整时长。") % {"name": record.volunteer})
    record.hours = _clean_hours(activity, hours, record.attendance)
    record.evaluation, record.note = evaluation, note
    record.save(update_fields=["hours", "evaluation", "note"])
    return record


@transaction.atomic
def service_record_add_manual(*, activity, volunteer, user, hours, note="", evaluation="", now=None):
    """Add a record after the fact (补录), e.g. for someone who served without signing up."""
    now = now or timezone.now()
    activity = lock_activity(activity)
    if not can_organise(user, activity):
        raise PermissionDenied
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError(_("该活动已取消。"))
    if now < activity.starts_at:
        raise ValidationError(_("活动还没开始，不能补录。"))
    if not same_street(volunteer, activity.community):
        raise ValidationError(_("%(name)s 不是本街道的志愿者。") % {"name": volunteer})
    if ServiceRecord.objects.filter(activity=activity, volunteer=volunteer).exists():
        raise ValidationError(_("%(name)s 已有这次活动的服务记录。") % {"name": volunteer})
    record = _new_record(activity, volunteer, user, ServiceRecord.Source.MANUAL, now)
    record.hours = _clean_hours(activity, hours, ServiceRecord.Attendance.NORMAL)
    record.started_at, record.ended_at = activity.starts_at, activity.ends_at
    record.note, record.evaluation = note, evaluation
    record.save()
    return record


@dataclass
class VerifyResult:
    verified: int = 0
    absent: int = 0
    points: int = 0
    own_skipped: int = 0


def _verify(record, user, now):
    record.verified_by, record.verified_at = user, now
    record.save(update_fields=["verified_by", "verified_at"])
    if record.counts and record.hours > 0:
        # Points are booked when the hours are verified: that is when they
        # are earned, and it keeps late verifications out of closed months.
        return points_award(
            rule_code="activity_hour",
            subject=record.volunteer,
            source=record,
            occurred_at=now,
            quantity=record.hours,
            note=str(record.activity)[:200],
        )
    return None


@transaction.atomic
def service_records_verify(*, activity, user, now=None):
    """Verify the activity's hours: from now on they count, and earn activity_hour points.

    Everyone must be checked out first; signed-up volunteers with no record
    are recorded absent. Nobody verifies their own hours: those stay for
    another leader or staff member.
    """
    now = now or timezone.now()
    activity = lock_activity(activity)
    if not can_verify(user, activity):
        raise PermissionDenied(_("只有队长或社区工作人员可以核验服务时长。"))
    if now < activity.starts_at:
        raise ValidationError(_("活动还没开始，不能核验。"))
    records = ServiceRecord.objects.select_for_update().filter(activity=activity)
    on_site = records.filter(started_at__isnull=False, ended_at__isnull=True).count()
    if on_site:
        raise ValidationError(_("还有 %(n)s 人没有签退，请先签退。") % {"n": on_site})
    result = VerifyResult()
    missing = active_signups(activity).exclude(volunteer__in=records.values("volunteer"))
    absentees = [
        _new_record(activity, signup.volunteer, user, ServiceRecord.Source.ORGANISER, now)
        for signup in missing.select_related("volunteer")
    ]
    for record in absentees:
        record.attendance = ServiceRecord.Attendance.ABSENT
    ServiceRecord.objects.bulk_create(absentees)
    result.absent = len(absentees)
    pending = records.filter(verified_at__isnull=True).select_related("volunteer__community", "activity")
    for record in pending.order_by("pk"):
        if record.volunteer.user_id is not None and record.volunteer.user_id == user.pk:
            result.own_skipped += 1
            continue
        result.verified += 1
        if _verify(record, user, now) is not None:
            result.points += 1
    if not result.verified and not result.own_skipped:
        raise ValidationError(_("没有待核验的记录。"))
    return result


@transaction.atomic
def service_record_verify(*, record, user, now=None):
    """Verify one record (the admin's bulk action calls this per row)."""
    now = now or timezone.now()
    activity = lock_activity(record.activity)
    if not can_verify(user, activity):
        raise PermissionDenied
    record = (
        ServiceRecord.objects.select_for_update()
        .select_related("volunteer__community", "activity")
        .get(pk=record.pk)
    )
    _refuse_if_verified(record)
    if record.is_on_site:
        raise ValidationError(_("%(name)s 还没有签退。") % {"name": record.volunteer})
    if record.volunteer.user_id is not None and record.volunteer.user_id == user.pk:
        raise ValidationError(_("不能核验自己的服务时长。"))
    _verify(record, user, now)
    return record


def counted_records(volunteer, date_from=None, date_to=None):
    """A volunteer's verified records that count, in a date range."""
    records = ServiceRecord.objects.counted().filter(volunteer=volunteer)
    if date_from:
        records = records.filter(service_date__gte=date_from)
    if date_to:
        records = records.filter(service_date__lte=date_to)
    return records


@transaction.atomic
def service_statement_issue(*, volunteer, user, period_from, period_to, issuer, now=None):
    """Register a printed record of service and give it its serial number."""
    now = now or timezone.now()
    if period_from > period_to:
        raise ValidationError(_("起始日期不能晚于截止日期。"))
    records = list(
        counted_records(volunteer, period_from, period_to)
        .select_related("activity", "team", "verified_by")
        .order_by("service_date", "pk")
    )
    statement = ServiceStatement.objects.create(
        volunteer=volunteer,
        period_from=period_from,
        period_to=period_to,
        records=len(records),
        hours=sum((r.hours for r in records), Decimal("0.0")),
        issuer=issuer[:100],
        issued_by=user,
        issued_at=now,
    )
    statement.serial = f"FW{timezone.localtime(now):%Y%m%d}{statement.pk:06d}"
    ServiceStatement.objects.filter(pk=statement.pk).update(serial=statement.serial)
    return statement, records
