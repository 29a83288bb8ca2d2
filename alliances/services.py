"""Writes for alliances: membership and covenant, the rotating chair, the three
lists, matching, projects and their progress, joint meetings and their problems.

State changes follow lock, re-check, change, record: the row is re-read with
select_for_update inside the transaction, the transition is checked against
what is stored now, and a dated history row is written next to the change.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances import access, events
from alliances.models import (
    Alliance,
    ChairSwap,
    ChairTerm,
    JointMeeting,
    MeetingAttendance,
    MeetingProblem,
    Membership,
    MemberUnit,
    Need,
    NeedStatusChange,
    ProblemFollowUp,
    Project,
    ProjectPhoto,
    ProjectStatusChange,
    ProjectUpdate,
    Resource,
)
from alliances.photos import MAX_PHOTOS
from points.services import points_award
from portal.access import staff_over
from portal.months import add_months, month_start
from portal.text import join_list

# --- membership and covenant -------------------------------------------------------


def _require(condition, message=None):
    if not condition:
        raise PermissionDenied(message or _("您没有权限进行此操作。"))


@transaction.atomic
def membership_join(*, alliance, unit, joined_on=None, covenant_signed_on=None):
    """Add a unit to an alliance, or bring back one that had left."""
    joined_on = joined_on or timezone.localdate()
    membership = (
        Membership.objects.select_for_update(of=("self",)).filter(alliance=alliance, unit=unit).first()
    )
    if membership is not None and membership.left_on is None:
        raise ValidationError(_("“%(unit)s”已经是该联盟的成员。") % {"unit": unit})
    if membership is None:
        membership = Membership(alliance=alliance, unit=unit)
    # A returning unit keeps one row: its new joining date replaces the old one.
    membership.joined_on = joined_on
    membership.left_on = None
    membership.covenant_signed_on = covenant_signed_on or membership.covenant_signed_on
    membership.full_clean(validate_unique=False)
    membership.save()
    return membership


@transaction.atomic
def membership_leave(*, membership, left_on=None, today=None):
    """Record that a unit left; its chair months from then on are given to others."""
    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("alliance").get(pk=membership.pk)
    )
    if membership.left_on is not None:
        raise ValidationError(_("该单位已于 %(day)s 退出联盟。") % {"day": membership.left_on})
    membership.left_on = left_on or timezone.localdate()
    membership.full_clean(validate_unique=False)
    membership.save(update_fields=["left_on"])
    chair_schedule_repair(alliance=membership.alliance, today=today)
    return membership


@transaction.atomic
def membership_sign_covenant(*, membership, actor, signed_on=None):
    """Record the unit's signing of the alliance covenant (联盟公约)."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("alliance", "unit__grid")
        .get(pk=membership.pk)
    )
    _require(
        access.is_liaison_of(actor, membership.unit)
        or staff_over(actor, membership.alliance.grid, "alliances.change_membership")
    )
    signed_on = signed_on or timezone.localdate()
    if membership.covenant_signed_on is not None:
        raise ValidationError(_("已于 %(day)s 签署公约。") % {"day": membership.covenant_signed_on})
    if not membership.is_member_on(signed_on):
        raise ValidationError(_("只有联盟的现任成员单位才能签署公约。"))
    if not membership.alliance.covenant.strip():
        raise ValidationError(_("该联盟还没有公约文本。"))
    membership.covenant_signed_on = signed_on
    membership.save(update_fields=["covenant_signed_on"])
    return membership


# --- the rotating chair ---------------------------------------------------------------
#
# The rule, in rounds: a month's chair is chosen among the units that are members
# for the whole month. Within a round every such unit chairs once, in joining
# order (then by name); when all of them have chaired, a new round begins. A
# unit that joins during a round takes its turn at the end of that round, a unit
# that leaves is skipped, and a month whose chair was swapped counts as a turn of
# the unit that holds it now. So no unit chairs a second time while another
# current member is still waiting for its turn in the round.


def _rotation_key(membership):
    return (membership.joined_on, membership.unit.name, membership.unit_id)


class _Rotation:
    """Replays the schedule month by month and picks the next chair."""

    def __init__(self, memberships):
        self.memberships = memberships
        self.done = set()  # units that have chaired in the current round

    def _eligible(self, month):
        return [m for m in self.memberships if m.can_chair(month)]

    def record(self, month, unit_id):
        eligible = {m.unit_id for m in self._eligible(month)}
        if eligible <= self.done or unit_id in self.done:
            self.done = set()  # the round is over (or a swap started a new one)
        self.done.add(unit_id)

    def choose(self, month):
        eligible = self._eligible(month)
        if not eligible:
            return None
        waiting = [m for m in eligible if m.unit_id not in self.done]
        if not waiting:
            self.done, waiting = set(), eligible
        chosen = min(waiting, key=_rotation_key)
        self.done.add(chosen.unit_id)
        return chosen


@transaction.atomic
def chair_schedule_generate(*, alliance, start, months):
    """Give every month of [start, start + months) without a chair one; returns the new terms.

    Months that already have a chair keep it (so generating twice changes
    nothing, and staff swaps survive); they count as turns for the fairness rule.
    """
    if months < 1 or months > 36:
        raise ValidationError(_("一次可以安排 1 到 36 个月。"))
    # One writer per alliance at a time: both would choose from the same history.
    alliance = Alliance.objects.select_for_update(of=("self",)).get(pk=alliance.pk)
    start = month_start(start)
    rotation = _Rotation(list(alliance.memberships.select_related("unit")))
    existing = dict(alliance.chair_terms.values_list("month", "unit_id"))
    for month in sorted(m for m in existing if m < start):
        rotation.record(month, existing[month])
    new_terms = []
    for offset in range(months):
        month = add_months(start, offset)
        if month in existing:
            rotation.record(month, existing[month])
            continue
        chosen = rotation.choose(month)
        if chosen is None:
            raise ValidationError(
                _("%(month)s 没有全月在联盟内的成员单位，无法安排轮值主席。") % {"month": f"{month:%Y-%m}"}
            )
        new_terms.append(ChairTerm(alliance=alliance, month=month, unit=chosen.unit))
    ChairTerm.objects.bulk_create(new_terms)
    _sync_planned_meeting_chairs(alliance, [t.month for t in new_terms])
    return new_terms


@transaction.atomic
def chair_schedule_repair(*, alliance, today=None):
    """After membership changes: reschedule from the first month whose chair can no longer serve.

    Months before the current one are history and stay as they were. From the
    first current-or-future month whose chair unit is not a member all month,
    the schedule is generated afresh for as many months as it covered (swaps in
    those months are undone). Returns the number of months rescheduled.
    """
    alliance = Alliance.objects.select_for_update(of=("self",)).get(pk=alliance.pk)
    current = month_start(today or timezone.localdate())
    memberships = {m.unit_id: m for m in alliance.memberships.all()}
    terms = list(alliance.chair_terms.filter(month__gte=current).order_by("month"))
    broken = next(
        (t for t in terms if t.unit_id not in memberships or not memberships[t.unit_id].can_chair(t.month)),
        None,
    )
    if broken is None:
        return 0
    last = terms[-1].month
    span = (last.year - broken.month.year) * 12 + last.month - broken.month.month + 1
    alliance.chair_terms.filter(month__gte=broken.month).delete()
    chair_schedule_generate(alliance=alliance, start=broken.month, months=span)
    return span


@transaction.atomic
def chair_swap(*, alliance, first_month, second_month, actor, reason="", today=None):
    """Exchange the chairs of two months of one alliance (staff only)."""
    _require(staff_over(actor, alliance.grid, "alliances.change_chairterm"))
    first_month, second_month = month_start(first_month), month_start(second_month)
    if first_month == second_month:
        raise ValidationError(_("请选择两个不同的月份。"))
    current = month_start(today or timezone.localdate())
    if min(first_month, second_month) < current:
        raise ValidationError(_("已经过去的月份不能调换。"))
    terms = list(
        ChairTerm.objects.select_for_update(of=("self",))
        .filter(alliance=alliance, month__in=[first_month, second_month])
        .select_related("unit")
        .order_by("pk")
    )
    by_month = {t.month: t for t in terms}
    if len(by_month) != 2:
        raise ValidationError(_("这两个月还没有都排好轮值主席，请先生成轮值表。"))
    first, second = by_month[first_month], by_month[second_month]
    if first.unit_id == second.unit_id:
        raise ValidationError(_("这两个月的轮值主席是同一家单位，无需调换。"))
    memberships = {
        m.unit_id: m for m in alliance.memberships.filter(unit__in=[first.unit_id, second.unit_id])
    }
    for term, other in ((first, second), (second, first)):
        membership = memberships.get(term.unit_id)
        if membership is None or not membership.can_chair(other.month):
            raise ValidationError(
                _("“%(unit)s”在 %(month)s 不是全月在联盟内的成员，不能担任该月轮值主席。")
                % {"unit": term.unit, "month": f"{other.month:%Y-%m}"}
            )
    ChairSwap.objects.create(
        alliance=alliance,
        first_month=first.month,
        second_month=second.month,
        first_unit=first.unit,
        second_unit=second.unit,
        reason=reason,
        swapped_by=actor,
    )
    first.unit, second.unit = second.unit, first.unit
    first.save(update_fields=["unit"])
    second.save(update_fields=["unit"])
    _sync_planned_meeting_chairs(alliance, [first.month, second.month])
    return first, second


def _sync_planned_meeting_chairs(alliance, months):
    """Meetings not yet held follow the schedule; held ones keep who chaired them."""
    if not months:
        return
    chairs = dict(
        ChairTerm.objects.filter(alliance=alliance, month__in=months).values_list("month", "unit_id")
    )
    planned = JointMeeting.objects.filter(alliance=alliance, status=JointMeeting.Status.PLANNED)
    for meeting in planned.only("pk", "held_at", "chair_unit_id"):
        unit_id = chairs.get(meeting.month)
        if unit_id and unit_id != meeting.chair_unit_id:
            JointMeeting.objects.filter(pk=meeting.pk).update(chair_unit_id=unit_id)


def chair_for_month(alliance, day):
    return ChairTerm.objects.filter(alliance=alliance, month=month_start(day)).select_related("unit").first()


# --- resources ---------------------------------------------------------------------

RESOURCE_FIELDS = (
    "kind",
    "title",
    "description",
    "quantity",
    "quantity_unit",
    "community",
    "available_from",
    "available_until",
)


@transaction.atomic
def resource_save(*, actor, unit, resource=None, **data):
    """Add a resource to a unit's list, or change one; only the unit's liaison or staff over it."""
    _require(access.can_edit_unit_lists(actor, unit), _("只能编辑本单位的资源清单。"))
    if resource is None:
        resource = Resource(unit=unit)
    else:
        resource = Resource.objects.select_for_update(of=("self",)).get(pk=resource.pk)
        if resource.unit_id != unit.pk:
            raise PermissionDenied(_("只能编辑本单位的资源清单。"))
    for name in RESOURCE_FIELDS:
        if name in data:
            setattr(resource, name, data[name])
    resource.full_clean()
    resource.save()
    return resource


@transaction.atomic
def resource_set_active(*, actor, resource, active):
    """Withdraw a resource from matching, or offer it again."""
    resource = (
        Resource.objects.select_for_update(of=("self",)).select_related("unit__grid").get(pk=resource.pk)
    )
    _require(access.can_edit_unit_lists(actor, resource.unit), _("只能编辑本单位的资源清单。"))
    if resource.is_active != active:
        resource.is_active = active
        resource.save(update_fields=["is_active", "updated_at"])
    return resource


# --- needs ---------------------------------------------------------------------------


def _need_record(need, from_status, actor, note="", at=None):
    NeedStatusChange.objects.create(
        need=need,
        from_status=from_status,
        to_status=need.status,
        changed_at=at or timezone.now(),
        changed_by=actor,
        note=note[:200],
    )


@transaction.atomic
def need_create(*, need, actor, note):
    """Register a need built by the admin's form or an import row, with its first status row."""
    _require(staff_over(actor, need.community, "alliances.add_need"))
    need.raised_by = actor
    need.full_clean()
    need.save()
    _need_record(need, "", actor, note)
    return need


def _need_transition(need, to_status, actor, note="", at=None):
    """Change a locked need's status and write its history row."""
    allowed = {
        Need.Status.OPEN: {Need.Status.MATCHED, Need.Status.CLOSED},
        Need.Status.MATCHED: {Need.Status.OPEN, Need.Status.CLOSED},
        Need.Status.CLOSED: {Need.Status.OPEN},
    }
    if to_status not in allowed[need.status]:
        raise ValidationError(
            _("需求当前为“%(now)s”，不能改为“%(to)s”。")
            % {"now": need.get_status_display(), "to": Need.Status(to_status).label}
        )
    at = at or timezone.now()
    previous = need.status
    need.status = to_status
    if to_status == Need.Status.MATCHED:
        need.matched_at = at
    if to_status == Need.Status.CLOSED:
        need.closed_at, need.close_reason = at, note[:200]
    if to_status == Need.Status.OPEN:
        need.closed_at, need.close_reason = None, ""
    need.save(update_fields=["status", "matched_at", "closed_at", "close_reason"])
    _need_record(need, previous, actor, note, at)
    return need


@transaction.atomic
def need_close(*, need, actor, reason):
    need = Need.objects.select_for_update(of=("self",)).select_related("community").get(pk=need.pk)
    _require(staff_over(actor, need.community, "alliances.change_need"))
    if not (reason or "").strip():
        raise ValidationError(_("请写明关闭原因。"))
    if need.projects.filter(status__in=Project.ACTIVE).exists():
        raise ValidationError(_("这个需求还有进行中的项目，请先完成或取消项目。"))
    return _need_transition(need, Need.Status.CLOSED, actor, reason.strip())


# --- projects ------------------------------------------------------------------------


def _project_record(project, from_status, actor, note="", at=None):
    ProjectStatusChange.objects.create(
        project=project,
        from_status=from_status,
        to_status=project.status,
        changed_at=at or timezone.now(),
        changed_by=actor,
        note=note[:200],
    )


@transaction.atomic
def project_create(*, project, actor, note):
    """Start a project built by the admin's form, with its first status row.

    Partner units (many-to-many) are set by the caller once the project is saved.
    """
    _require(staff_over(actor, project.community, "alliances.add_project"))
    project.created_by = actor
    project.full_clean()
    project.save()
    _project_record(project, "", actor, note)
    return project


def alliance_for_match(need, unit, on=None):
    """The alliance a matched project runs under: the community's committee if the unit
    is a member of it, otherwise the street's alliance; None if it is in neither."""
    on = on or timezone.localdate()
    community = need.community
    candidates = Alliance.objects.filter(grid__in=[community.pk, community.parent_id]).select_related("grid")
    member_of = {
        m.alliance_id: m
        for m in Membership.objects.filter(alliance__in=candidates, unit=unit)
        if m.is_member_on(on)
    }
    ordered = sorted(candidates, key=lambda a: a.grid.level, reverse=True)  # community first
    return next((a for a in ordered if a.pk in member_of), None)


@transaction.atomic
def project_create_from_match(
    *,
    need,
    resource,
    actor,
    title="",
    start_on=None,
    end_on=None,
    budget=0,
    partner_units=(),
    description="",
):
    """Turn a suggested match into a project in one step; the need becomes matched."""
    need = Need.objects.select_for_update(of=("self",)).select_related("community__parent").get(pk=need.pk)
    _require(staff_over(actor, need.community, "alliances.add_project"))
    if need.status != Need.Status.OPEN:
        raise ValidationError(
            _("该需求当前为“%(status)s”，只有待匹配的需求可以立项。") % {"status": need.get_status_display()}
        )
    resource = Resource.objects.select_related("unit__grid").get(pk=resource.pk)
    if not resource.is_active:
        raise ValidationError(_("该资源已撤回，不能用于立项。"))
    _require(
        staff_over(actor, resource.unit.grid, "alliances.view_resource"),
        _("该资源不在您的管辖范围内。"),
    )
    alliance = alliance_for_match(need, resource.unit)
    if alliance is None:
        raise ValidationError(_("“%(unit)s”不是本社区或本街道联盟的现任成员单位。") % {"unit": resource.unit})
    project = Project(
        title=(title or need.title)[:100],
        description=description or need.description,
        alliance=alliance,
        community=need.community,
        need=need,
        resource=resource,
        lead_unit=resource.unit,
        budget=budget or 0,
        start_on=start_on,
        end_on=end_on,
        created_by=actor,
    )
    project.full_clean()
    project.save()
    partners = [u for u in partner_units if u.pk != resource.unit_id]
    if partners:
        project.partner_units.set(partners)
    _project_record(project, "", actor, _("由需求“%(need)s”匹配立项") % {"need": need.title})
    _need_transition(need, Need.Status.MATCHED, actor, _("立项：%(project)s") % {"project": project.title})
    events.project_matched.send(sender=Project, project=project, need=need)
    return project


def _project_transition(project, to_status, actor, note="", at=None):
    allowed = {
        Project.Status.PLANNED: {Project.Status.IN_PROGRESS, Project.Status.CANCELLED},
        Project.Status.IN_PROGRESS: {Project.Status.COMPLETED, Project.Status.CANCELLED},
        Project.Status.COMPLETED: set(),
        Project.Status.CANCELLED: set(),
    }
    if to_status not in allowed[project.status]:
        raise ValidationError(
            _("项目当前为“%(now)s”，不能改为“%(to)s”。")
            % {"now": project.get_status_display(), "to": Project.Status(to_status).label}
        )
    at = at or timezone.now()
    previous = project.status
    project.status = to_status
    fields = ["status"]
    if to_status == Project.Status.COMPLETED:
        project.completed_at, project.progress_percent = at, 100
        fields += ["completed_at", "progress_percent"]
    project.save(update_fields=fields)
    _project_record(project, previous, actor, note, at)
    if to_status == Project.Status.COMPLETED:
        award_project_points(project)
    _project_need_follows(project, actor, at)
    return project


def _project_need_follows(project, actor, at):
    """A completed project closes its need; a cancelled one sends it back to matching."""
    if project.need_id is None:
        return
    need = Need.objects.select_for_update(of=("self",)).get(pk=project.need_id)
    if project.status == Project.Status.COMPLETED and need.status == Need.Status.MATCHED:
        _need_transition(need, Need.Status.CLOSED, actor, _("项目完成：%(p)s") % {"p": project.title}, at)
    elif project.status == Project.Status.CANCELLED and need.status == Need.Status.MATCHED:
        still_active = need.projects.filter(status__in=Project.ACTIVE).exclude(pk=project.pk).exists()
        if not still_active:
            _need_transition(need, Need.Status.OPEN, actor, _("项目取消：%(p)s") % {"p": project.title}, at)


@transaction.atomic
def project_set_status(*, project, to_status, actor, note=""):
    """Start, complete (验收) or cancel a project; staff only. Completion earns the lead unit points."""
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("community", "lead_unit__grid")
        .get(pk=project.pk)
    )
    _require(access.can_manage_project(actor, project))
    if to_status == Project.Status.CANCELLED and not (note or "").strip():
        raise ValidationError(_("取消项目请写明原因。"))
    return _project_transition(project, to_status, actor, note)


def award_project_points(project):
    """Points for the lead unit of a completed project; a second call earns nothing."""
    if project.status != Project.Status.COMPLETED:
        return None
    return points_award(
        rule_code="project_completed",
        subject=project.lead_unit,
        source=project,
        occurred_at=project.completed_at,
    )


@transaction.atomic
def project_post_update(*, project, actor, text, progress_percent=None, photos=(), posted_at=None):
    """A dated progress update with optional photos (already checked by alliances.photos).

    Liaisons of the lead and partner units post; only the lead unit's liaison
    (or staff) states the progress in percent. The first update of a project in
    preparation marks it as started.
    """
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("community", "lead_unit")
        .get(pk=project.pk)
    )
    _require(access.can_post_update(actor, project), _("只有参与该项目的单位联络员可以发布进展。"))
    if project.is_finished:
        raise ValidationError(
            _("项目已%(status)s，不能再发布进展。") % {"status": project.get_status_display()}
        )
    if progress_percent is not None:
        if not access.can_set_progress(actor, project):
            raise PermissionDenied(_("进度百分比由牵头单位填写。"))
        if not 0 <= progress_percent <= 100:
            raise ValidationError(_("进度应在 0 到 100 之间。"))
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(_("每次最多上传 4 张照片。"))
    posted_at = posted_at or timezone.now()
    update = ProjectUpdate(
        project=project,
        unit=access.posting_unit(actor, project),
        posted_by=actor,
        posted_at=posted_at,
        text=text,
        progress_percent=progress_percent,
    )
    update.full_clean()
    update.save()
    for content, width, height in photos:
        photo = ProjectPhoto(update=update, width=width, height=height)
        photo.image.save("photo.jpg", content, save=False)
        photo.save()
    if project.status == Project.Status.PLANNED:
        _project_transition(project, Project.Status.IN_PROGRESS, actor, _("发布首条进展"), posted_at)
    if progress_percent is not None and progress_percent != project.progress_percent:
        project.progress_percent = progress_percent
        project.save(update_fields=["progress_percent"])
    return update


# --- joint meetings --------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(*, alliance, held_at, agenda, actor, place="", title=""):
    """Put a joint meeting in the calendar; its chair is the month's chair from the schedule."""
    _require(staff_over(actor, alliance.grid, "alliances.add_jointmeeting"))
    local = timezone.localtime(held_at)
    term = chair_for_month(alliance, local.date())
    if term is None:
        raise ValidationError(
            _("%(month)s 还没有轮值主席，请先在联盟页面生成轮值表。") % {"month": f"{local:%Y-%m}"}
        )
    meeting = JointMeeting(
        alliance=alliance,
        title=title or _("%(year)s年%(month)s月联席会议") % {"year": local.year, "month": local.month},
        held_at=held_at,
        place=place,
        chair_unit=term.unit,
        agenda=agenda,
    )
    meeting.full_clean()
    meeting.save()
    events.meeting_scheduled.send(sender=JointMeeting, meeting=meeting)
    return meeting


def meeting_members(meeting):
    """The memberships of the units that were members on the meeting's day."""
    day = timezone.localtime(meeting.held_at).date()
    memberships = meeting.alliance.memberships.select_related("unit").order_by("joined_on", "unit__name")
    return [m for m in memberships if m.is_member_on(day)]


@transaction.atomic
def meeting_record(*, meeting, actor, attendance, minutes, now=None):
    """Record a held meeting: each member unit's attendance and the minutes.

    `attendance` maps unit pk to (status, attendee). Every unit that was a member
    on the day must be listed, and no other. Units present earn points. Once
    recorded, attendance is final; corrections of points go through the ledger.
    """
    meeting = (
        JointMeeting.objects.select_for_update(of=("self",))
        .select_related("alliance__grid")
        .get(pk=meeting.pk)
    )
    _require(staff_over(actor, meeting.alliance.grid, "alliances.change_jointmeeting"))
    if meeting.status != JointMeeting.Status.PLANNED:
        raise ValidationError(
            _("这次会议已经%(status)s，不能再次记录。") % {"status": meeting.get_status_display()}
        )
    now = now or timezone.now()
    if meeting.held_at > now:
        raise ValidationError(_("会议还没有召开，召开后再记录出席情况。"))
    members = {m.unit_id: m.unit for m in meeting_members(meeting)}
    listed = set(attendance)
    if listed != set(members):
        missing = [members[pk].name for pk in set(members) - listed]
        if missing:
            raise ValidationError(
                _("请填写这些单位的出席情况：%(units)s。") % {"units": join_list(sorted(missing))}
            )
        raise ValidationError(_("出席名单中有不是该联盟成员的单位。"))
    rows = []
    for unit_id, (status, attendee) in attendance.items():
        if status not in MeetingAttendance.Status.values:
            raise ValidationError(_("出席情况无效。"))
        rows.append(
            MeetingAttendance(meeting=meeting, unit=members[unit_id], status=status, attendee=attendee[:100])
        )
    MeetingAttendance.objects.bulk_create(rows)
    meeting.minutes = minutes
    meeting.status = JointMeeting.Status.HELD
    meeting.recorded_at, meeting.recorded_by = now, actor
    meeting.full_clean()
    meeting.save(update_fields=["minutes", "status", "recorded_at", "recorded_by"])
    award_meeting_points(meeting)
    return meeting


def award_meeting_points(meeting):
    """Points for every unit present at a held meeting; calling it again earns nothing more."""
    if meeting.status != JointMeeting.Status.HELD:
        return []
    entries = []
    present = meeting.attendances.filter(status=MeetingAttendance.Status.PRESENT).select_related("unit__grid")
    for row in present:
        entry = points_award(
            rule_code="meeting_attended", subject=row.unit, source=row, occurred_at=meeting.held_at
        )
        if entry is not None:
            entries.append(entry)
    return entries


@transaction.atomic
def meeting_cancel(*, meeting, actor, reason):
    meeting = (
        JointMeeting.objects.select_for_update(of=("self",))
        .select_related("alliance__grid")
        .get(pk=meeting.pk)
    )
    _require(staff_over(actor, meeting.alliance.grid, "alliances.change_jointmeeting"))
    if meeting.status != JointMeeting.Status.PLANNED:
        raise ValidationError(_("只有尚未召开的会议可以取消。"))
    if not (reason or "").strip():
        raise ValidationError(_("请写明取消原因。"))
    meeting.status = JointMeeting.Status.CANCELLED
    meeting.minutes = _("会议取消：%(reason)s") % {"reason": reason.strip()}
    meeting.save(update_fields=["status", "minutes"])
    return meeting


@transaction.atomic
def problem_raise(
    *, meeting, actor, description, owner_unit=None, owner_name="", raised_by_unit=None, due_on=None
):
    """A problem raised at a meeting, with an owner (unit or person) to follow it up."""
    meeting = JointMeeting.objects.select_related("alliance__grid").get(pk=meeting.pk)
    _require(staff_over(actor, meeting.alliance.grid, "alliances.add_meetingproblem"))
    if meeting.status != JointMeeting.Status.HELD:
        raise ValidationError(_("会议召开并记录出席情况后，才能登记会上提出的问题。"))
    member_ids = set(meeting.alliance.memberships.values_list("unit_id", flat=True))
    for unit in (owner_unit, raised_by_unit):
        if unit is not None and unit.pk not in member_ids:
            raise ValidationError(_("“%(unit)s”不是该联盟的成员单位。") % {"unit": unit})
    problem = MeetingProblem(
        meeting=meeting,
        description=description,
        owner_unit=owner_unit,
        owner_name=owner_name,
        raised_by_unit=raised_by_unit,
        due_on=due_on,
    )
    problem.full_clean()
    problem.save()
    return problem


@transaction.atomic
def problem_follow_up(*, problem, actor, status, note, at=None):
    """Add a dated follow-up to a problem and move it to `status` (the owner unit's liaison or staff)."""
    problem = (
        MeetingProblem.objects.select_for_update(of=("self",))
        .select_related("meeting__alliance__grid", "owner_unit")
        .get(pk=problem.pk)
    )
    _require(
        access.can_follow_up_problem(actor, problem), _("只有责任单位的联络员或工作人员可以跟进这个问题。")
    )
    if problem.status == MeetingProblem.Status.RESOLVED:
        raise ValidationError(_("这个问题已经办结。"))
    if status not in (MeetingProblem.Status.IN_PROGRESS, MeetingProblem.Status.RESOLVED):
        raise ValidationError(_("跟进后的状态只能是办理中或已办结。"))
    if not (note or "").strip():
        raise ValidationError(_("请填写办理情况。"))
    at = at or timezone.now()
    ProblemFollowUp.objects.create(problem=problem, status=status, note=note.strip(), by=actor, at=at)
    problem.status = status
    problem.resolved_at = at if status == MeetingProblem.Status.RESOLVED else None
    problem.save(update_fields=["status", "resolved_at"])
    return problem


# --- units -------------------------------------------------------------------------


@transaction.atomic
def unit_set_liaisons(*, unit, users):
    """Make `users` the liaisons of `unit`, giving each the unit-liaison role."""
    from portal.roles import Role
    from portal.services import user_grant_role

    unit = MemberUnit.objects.select_for_update(of=("self",)).get(pk=unit.pk)
    unit.liaisons.set(users)
    for user in users:
        user_grant_role(user=user, role=Role.UNIT_LIAISON)
        access.forget_liaison_units(user)
    return unit
