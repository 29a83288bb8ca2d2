"""The rotating chair (轮值主席): the schedule generated round-robin, repaired when members leave, and swaps."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.models import (
    Alliance,
    ChairSwap,
    ChairTerm,
    JointMeeting,
)
from portal.access import require, staff_over
from portal.months import add_months, month_start

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
    require(staff_over(actor, alliance.grid, "alliances.change_chairterm"))
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
