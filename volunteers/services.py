"""Writes for volunteers, activities, service records and the points ledger.

Every state change follows lock, re-check, change, record: the activity row
is locked first (it guards capacity and attendance), then the row that
changes. Refusals are ValidationError (a message for the person) or
PermissionDenied (a wrong scope or role), and change nothing.
"""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.locks import advisory_xact_lock
from portal.queue import enqueue_on_commit
from volunteers import rollup
from volunteers.models import (
    Activity,
    PeriodKind,
    PointsEntry,
    PointsPeriod,
    PointsRule,
    ServiceRecord,
    ServiceStatement,
    SignUp,
    TeamMembership,
    Volunteer,
    hours_between,
)
from volunteers.permissions import can_manage_team, can_organise, can_verify

logger = logging.getLogger(__name__)


# --- points ledger -------------------------------------------------------------------


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


def points_award_to_user(*, rule_code, user, source, occurred_at=None, quantity=1, note=""):
    """Award to the volunteer record of a login, if it has one (grid workers, claimants)."""
    volunteer = Volunteer.objects.filter(user=user).select_related("community").first()
    if volunteer is None:
        return None
    return points_award(
        rule_code=rule_code,
        subject=volunteer,
        source=source,
        occurred_at=occurred_at,
        quantity=quantity,
        note=note,
    )


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


def points_entry_correct(*, entry, user, note):
    """A person's correction of an entry: their permission, a reason, then a reversing entry."""
    if not user.has_perm("volunteers.reverse_pointsentry"):
        raise PermissionDenied
    note = (note or "").strip()
    if len(note) < 2:
        raise ValidationError(_("请写明冲销原因。"))
    try:
        return points_reverse(entry=entry, note=f"{note}（{user.get_username()}）"[:200])
    except ValueError:
        if entry.reverses_id is not None:
            raise ValidationError(_("冲销记录本身不能再被冲销。")) from None
        raise ValidationError(_("这条记录已经冲销过了。")) from None


@transaction.atomic
def points_rule_update(*, rule, name, points, active_from=None, active_until=None, description=""):
    """Change a rule's name, value or dates. Its code and kind stay: services award by code.

    Entries already booked keep the points they were booked with.
    """
    rule = PointsRule.objects.select_for_update().get(pk=rule.pk)
    rule.name, rule.points, rule.description = name, points, description
    rule.active_from, rule.active_until = active_from, active_until
    rule.full_clean()
    rule.save()
    return rule


# --- teams ------------------------------------------------------------------------------


def _same_street(volunteer, node):
    """Whether a grid node lies in the street of the volunteer's home community."""
    home = volunteer.community
    return node.tree_id == home.tree_id


@transaction.atomic
def team_join(*, team, volunteer, now=None):
    """Apply to join a team; the leader approves. Applying again after leaving is allowed."""
    now = now or timezone.now()
    if not _same_street(volunteer, team.community):
        raise PermissionDenied(_("只能加入本街道的服务队。"))
    if not team.recruiting:
        raise ValidationError(_("“%(team)s”暂不招募新队员。") % {"team": team})
    membership = TeamMembership.objects.select_for_update().filter(team=team, volunteer=volunteer).first()
    if membership is not None:
        if membership.status == TeamMembership.Status.ACTIVE:
            raise ValidationError(_("您已是“%(team)s”的队员。") % {"team": team})
        if membership.status == TeamMembership.Status.PENDING:
            raise ValidationError(_("您已提交申请，请等待队长审核。"))
    else:
        membership = TeamMembership(team=team, volunteer=volunteer)
    membership.status = TeamMembership.Status.PENDING
    membership.applied_at = now
    membership.decided_at = membership.decided_by = membership.left_at = None
    membership.save()
    return membership


@transaction.atomic
def team_decide(*, membership, user, approve, now=None):
    """The leader (or staff in scope) approves or turns down an application."""
    membership = (
        TeamMembership.objects.select_for_update()
        .select_related("team__community", "volunteer")
        .get(pk=membership.pk)
    )
    if not can_manage_team(user, membership.team):
        raise PermissionDenied(_("只有队长或社区工作人员可以审核入队申请。"))
    if membership.status != TeamMembership.Status.PENDING:
        raise ValidationError(_("这份申请已经处理过了。"))
    membership.status = TeamMembership.Status.ACTIVE if approve else TeamMembership.Status.REJECTED
    membership.decided_at = now or timezone.now()
    membership.decided_by = user
    membership.save(update_fields=["status", "decided_at", "decided_by"])
    return membership


@transaction.atomic
def team_leave(*, team, volunteer, now=None):
    membership = TeamMembership.objects.select_for_update().filter(team=team, volunteer=volunteer).first()
    if membership is None or membership.status not in (
        TeamMembership.Status.ACTIVE,
        TeamMembership.Status.PENDING,
    ):
        raise ValidationError(_("您不在这支服务队中。"))
    if team.leader_id == volunteer.pk:
        raise ValidationError(_("队长不能退出自己的服务队，请先由社区工作人员更换队长。"))
    membership.status = TeamMembership.Status.LEFT
    membership.left_at = now or timezone.now()
    membership.save(update_fields=["status", "left_at"])
    return membership


# --- activities and sign-ups ------------------------------------------------------------------


def _lock_activity(activity):
    return (
        Activity.objects.select_for_update()
        .select_related("team__community", "community")
        .get(pk=activity.pk)
    )


def _check_activity_fields(activity):
    activity.full_clean(exclude=["created_by"])


@transaction.atomic
def activity_create(*, user, team, community, **fields):
    """Publish an activity for `team`; its leader or staff whose scope holds the place."""
    activity = Activity(team=team, community=community, created_by=user, **fields)
    if not can_organise(user, activity):
        raise PermissionDenied(_("只有队长或社区工作人员可以为这支服务队发布活动。"))
    if community.tree_id != team.community.tree_id:
        raise ValidationError({"community": _("活动地点必须在服务队所在的街道内。")})
    _check_activity_fields(activity)
    activity.save()
    return activity


@transaction.atomic
def activity_update(*, activity, user, **fields):
    activity = _lock_activity(activity)
    if not can_organise(user, activity):
        raise PermissionDenied
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError(_("已取消的活动不能修改。"))
    if activity.is_over():
        raise ValidationError(_("活动已结束，不能再修改；服务时长请在签到名单中调整。"))
    for name, value in fields.items():
        setattr(activity, name, value)
    if activity.community.tree_id != activity.team.community.tree_id:
        raise ValidationError({"community": _("活动地点必须在服务队所在的街道内。")})
    _check_activity_fields(activity)
    activity.save()
    return activity


@transaction.atomic
def activity_cancel(*, activity, user, now=None):
    now = now or timezone.now()
    activity = _lock_activity(activity)
    if not can_organise(user, activity):
        raise PermissionDenied
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError(_("该活动已经取消了。"))
    if activity.records.exists():
        raise ValidationError(_("已有签到记录的活动不能取消。"))
    activity.status = Activity.Status.CANCELLED
    activity.save(update_fields=["status"])
    return activity


def _active_signups(activity):
    return SignUp.objects.filter(activity=activity, status=SignUp.Status.ACTIVE)


def _is_member(team, volunteer):
    return TeamMembership.objects.filter(
        team=team, volunteer=volunteer, status=TeamMembership.Status.ACTIVE
    ).exists()


def _local(value):
    return timezone.localtime(value).strftime("%m-%d %H:%M")


@transaction.atomic
def signup_create(*, activity, volunteer, now=None):
    """Take one place in an activity.

    Capacity holds under any concurrency: the activity row is locked, the
    active sign-ups are counted under that lock, and the counter written back
    is checked by the database (signed_up_count <= capacity) as a backstop.
    """
    now = now or timezone.now()
    activity = _lock_activity(activity)
    if not _same_street(volunteer, activity.community):
        raise PermissionDenied(_("只能报名本街道的活动。"))
    state = activity.signup_state(now)
    if state == "cancelled":
        raise ValidationError(_("该活动已取消。"))
    if state == "not_yet":
        raise ValidationError(_("报名将于 %(time)s 开始。") % {"time": _local(activity.signup_opens_at)})
    if state == "closed":
        raise ValidationError(_("报名已截止。"))
    if activity.members_only and not _is_member(activity.team, volunteer):
        raise ValidationError(_("该活动仅限“%(team)s”队员报名。") % {"team": activity.team})
    signup = SignUp.objects.filter(activity=activity, volunteer=volunteer).first()
    if signup is not None and signup.status == SignUp.Status.ACTIVE:
        raise ValidationError(_("您已报名该活动。"))
    clash = (
        SignUp.objects.filter(volunteer=volunteer, status=SignUp.Status.ACTIVE)
        .filter(activity__starts_at__lt=activity.ends_at, activity__ends_at__gt=activity.starts_at)
        .exclude(activity__status=Activity.Status.CANCELLED)
        .select_related("activity")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            _("您已报名同一时段的“%(other)s”，不能同时参加。") % {"other": clash.activity.title}
        )
    taken = _active_signups(activity).count()
    if taken >= activity.capacity:
        raise ValidationError(_("名额已满。"))
    if signup is None:
        signup = SignUp(activity=activity, volunteer=volunteer)
    signup.status, signup.signed_up_at, signup.cancelled_at = SignUp.Status.ACTIVE, now, None
    signup.save()
    Activity.objects.filter(pk=activity.pk).update(signed_up_count=taken + 1)
    return signup


@transaction.atomic
def signup_cancel(*, activity, volunteer, now=None):
    """Give a place back, up to the start; after that, the organiser records leave."""
    now = now or timezone.now()
    activity = _lock_activity(activity)
    signup = (
        SignUp.objects.select_for_update()
        .filter(activity=activity, volunteer=volunteer, status=SignUp.Status.ACTIVE)
        .first()
    )
    if signup is None:
        raise ValidationError(_("您没有报名该活动。"))
    if now >= activity.starts_at:
        raise ValidationError(_("活动已开始，不能取消报名；不能参加请联系组织者登记请假。"))
    if ServiceRecord.objects.filter(activity=activity, volunteer=volunteer).exists():
        raise ValidationError(_("您已签到，不能取消报名。"))
    signup.status, signup.cancelled_at = SignUp.Status.CANCELLED, now
    signup.save(update_fields=["status", "cancelled_at"])
    Activity.objects.filter(pk=activity.pk).update(signed_up_count=_active_signups(activity).count())
    return signup


# --- attendance and service records -------------------------------------------------------------


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
    if not _active_signups(activity).filter(volunteer=volunteer).exists():
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
    activity = _lock_activity(activity)
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
            _("%(name)s 已于 %(time)s 签到。") % {"name": volunteer, "time": _local(record.started_at)}
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
    activity = _lock_activity(activity)
    if not can_organise(user, activity):
        raise PermissionDenied
    record = _record_for(activity, volunteer)
    _refuse_if_verified(record)
    if record is None or record.started_at is None:
        raise ValidationError(_("%(name)s 还没有签到，不能签退。") % {"name": volunteer})
    if record.ended_at is not None:
        raise ValidationError(
            _("%(name)s 已于 %(time)s 签退。") % {"name": volunteer, "time": _local(record.ended_at)}
        )
    return _check_out(activity, record, now)


@transaction.atomic
def attendance_check_out_all(*, activity, user, now=None):
    """Check out everyone still on site, at the end of the activity (or now, if earlier)."""
    now = now or timezone.now()
    activity = _lock_activity(activity)
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
    activity = _lock_activity(activity)
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
    if hours > 0 and attendance not in (ServiceRecord.Attendance.NORMAL, ServiceRecord.Attendance.LATE):
        raise ValidationError(_("请假或缺勤的记录不能有服务时长。"))
    return hours


@transaction.atomic
def service_record_update(*, record, user, hours, evaluation="", note=""):
    """The organiser corrects hours (e.g. someone left early) and adds an evaluation, before verification."""
    activity = _lock_activity(record.activity)
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
    activity = _lock_activity(activity)
    if not can_organise(user, activity):
        raise PermissionDenied
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError(_("该活动已取消。"))
    if now < activity.starts_at:
        raise ValidationError(_("活动还没开始，不能补录。"))
    if not _same_street(volunteer, activity.community):
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
    activity = _lock_activity(activity)
    if not can_verify(user, activity):
        raise PermissionDenied(_("只有队长或社区工作人员可以核验服务时长。"))
    if now < activity.starts_at:
        raise ValidationError(_("活动还没开始，不能核验。"))
    records = ServiceRecord.objects.select_for_update().filter(activity=activity)
    on_site = records.filter(started_at__isnull=False, ended_at__isnull=True).count()
    if on_site:
        raise ValidationError(_("还有 %(n)s 人没有签退，请先签退。") % {"n": on_site})
    result = VerifyResult()
    missing = _active_signups(activity).exclude(volunteer__in=records.values("volunteer"))
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
    if result.points:
        points_rollup_soon()
    return result


@transaction.atomic
def service_record_verify(*, record, user, now=None):
    """Verify one record (the admin's bulk action calls this per row)."""
    now = now or timezone.now()
    activity = _lock_activity(record.activity)
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
    records = ServiceRecord.objects.filter(
        volunteer=volunteer,
        verified_at__isnull=False,
        attendance__in=[ServiceRecord.Attendance.NORMAL, ServiceRecord.Attendance.LATE],
    )
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


# --- rollup ------------------------------------------------------------------------------------

ROLLUP_LOCK = "volunteers.points_rollup"
LARGE_REWRITE = 100_000  # rows written by one rollup after which planner statistics are refreshed


def month_start(day):
    return datetime.date(day.year, day.month, 1)


def next_month(day):
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def quarter_start(day):
    return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _aware(day):
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day))


def parse_period(text):
    """'2026-03' → the month's first day; ValueError with a message otherwise."""
    try:
        day = datetime.datetime.strptime((text or "").strip(), "%Y-%m").date()
    except ValueError:
        raise ValueError(_("期间应写作 YYYY-MM，例如 2026-03。")) from None
    return day


@dataclass
class RollupResult:
    months: list
    quarters: list
    years: list
    subjects: int = 0
    entries: int = 0
    written: int = 0

    def __str__(self):
        names = [f"{m:%Y-%m}" for m in self.months]
        return (
            f"months {', '.join(names) or '—'}; quarters {len(self.quarters)}; years {len(self.years)}; "
            f"{self.entries} entries, {self.subjects} month totals, {self.written} rows written"
        )


def _months_to_fill(months, today):
    """Months of the same years, up to this month, that were never rolled up.

    A quarter is the sum of its months and a year of its quarters, so every
    month they cover must have been rolled up at least once.
    """
    years = {m.year for m in months}
    done = set(
        PointsPeriod.objects.filter(kind=PeriodKind.MONTH, start__year__in=years).values_list(
            "start", flat=True
        )
    )
    fill = set()
    for year in years:
        day = datetime.date(year, 1, 1)
        while day.year == year and day <= today:
            if day not in done:
                fill.add(day)
            day = next_month(day)
    return fill


@transaction.atomic
def points_rollup(*, months, close=False, now=None):
    """Recompute the totals and ranks of `months`, their quarters and their years.

    Each period's rows are replaced in this one transaction, under one lock,
    so a re-run or a redelivered task gives identical rows and two runs never
    interleave. Quarters and years are recomputed when one of their months
    changed (or they were never computed). `close` marks the months closed:
    the nightly job leaves them alone from then on (an explicit re-run still
    recomputes them).
    """
    now = now or timezone.now()
    advisory_xact_lock(ROLLUP_LOCK)
    rollup.tune_session()
    requested = {month_start(m) for m in months}
    months = requested | _months_to_fill(requested, timezone.localdate(now))
    result = RollupResult(months=sorted(months), quarters=[], years=[])
    # Taken before the months are read: an entry committing in between is
    # then newer than the watermark, and the next nightly run picks it up.
    watermark = rollup.highest_entry_id()
    changed = set()
    for month in result.months:
        subjects, entries, written = rollup.replace_month(month, _aware(month), _aware(next_month(month)))
        result.subjects += subjects
        result.entries += entries
        result.written += written
        if written:
            changed.add(month)
        _record_period(PeriodKind.MONTH, month, now, watermark, entries, close and month in requested)
    # A quarter is a function of its months' totals, a year of its quarters':
    # when none of those moved (and the period was computed before), it stands.
    quarters = {quarter_start(m) for m in months}
    fresh_quarters = quarters - _computed(PeriodKind.QUARTER, quarters)
    result.quarters = sorted({quarter_start(m) for m in changed} | fresh_quarters)
    changed_quarters = set()
    for quarter in result.quarters:
        end = next_month(next_month(next_month(quarter)))
        written = rollup.replace_from_children(PeriodKind.QUARTER, quarter, PeriodKind.MONTH, quarter, end)[2]
        result.written += written
        if written:
            changed_quarters.add(quarter)
        _record_period(PeriodKind.QUARTER, quarter, now, watermark, None, False)
    years = {datetime.date(m.year, 1, 1) for m in months}
    fresh_years = years - _computed(PeriodKind.YEAR, years)
    result.years = sorted({datetime.date(q.year, 1, 1) for q in changed_quarters} | fresh_years)
    for year in result.years:
        end = datetime.date(year.year + 1, 1, 1)
        result.written += rollup.replace_from_children(PeriodKind.YEAR, year, PeriodKind.QUARTER, year, end)[
            2
        ]
        _record_period(PeriodKind.YEAR, year, now, watermark, None, False)
    if result.written > LARGE_REWRITE:
        rollup.refresh_statistics()
    return result


def _computed(kind, starts):
    return set(PointsPeriod.objects.filter(kind=kind, start__in=starts).values_list("start", flat=True))


def _record_period(kind, start, now, watermark, entries, close):
    period, _created = PointsPeriod.objects.get_or_create(
        kind=kind, start=start, defaults={"computed_at": now}
    )
    period.computed_at, period.watermark = now, watermark
    if entries is not None:
        period.entries = entries
    if close and period.closed_at is None:
        period.closed_at = now
    period.save()


def _changed(month):
    """Whether the ledger of a month differs from what its last rollup saw.

    The ledger only grows, so a different count means new entries, even one
    that committed late with an id below the watermark; a higher id than the
    watermark catches the rest.
    """
    period = PointsPeriod.objects.filter(kind=PeriodKind.MONTH, start=month).first()
    if period is None:
        return True
    count, highest = rollup.ledger_state(_aware(month), _aware(next_month(month)))
    return count != period.entries or highest > period.watermark


def points_rollup_due(*, now=None):
    """The nightly job: recompute open months whose ledger changed; close past open months.

    Closed months are left exactly as they are. A past month still open (the
    month-end run was missed) is brought up to date and closed.
    """
    now = now or timezone.now()
    current = month_start(timezone.localdate(now))
    open_past = PointsPeriod.objects.filter(
        kind=PeriodKind.MONTH, closed_at__isnull=True, start__lt=current
    ).values_list("start", flat=True)
    results = []
    for month in sorted(open_past):
        if _changed(month):
            results.append(points_rollup(months=[month], close=True, now=now))
        else:
            PointsPeriod.objects.filter(kind=PeriodKind.MONTH, start=month).update(closed_at=now)
    if _changed(current):
        results.append(points_rollup(months=[current], now=now))
    return results


ROLLUP_SOON_SECONDS = 10 * 60


def points_rollup_soon():
    """Refresh this month's ranks a few minutes after points were booked, once per window.

    The first booking in a ten-minute window enqueues the job (after commit);
    the rest find the window taken. The job recomputes only if the ledger
    changed, so an extra run costs one index scan.
    """
    if cache.add("volunteers:rollup-soon", True, timeout=ROLLUP_SOON_SECONDS):
        enqueue_on_commit("volunteers.tasks.rollup_points_nightly", countdown=ROLLUP_SOON_SECONDS)


def points_close_month(*, month=None, now=None):
    """The month-end job: the month just ended gets its final totals and is closed."""
    now = now or timezone.now()
    if month is None:
        first = month_start(timezone.localdate(now))
        month = month_start(first - datetime.timedelta(days=1))
    period = PointsPeriod.objects.filter(kind=PeriodKind.MONTH, start=month).first()
    if period is not None and period.closed_at is not None:
        return None  # already closed: a redelivered task does nothing new
    return points_rollup(months=[month], close=True, now=now)
