"""Activities and sign-ups: publishing, changing and cancelling an activity; taking and giving back a place."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from volunteers import events
from volunteers.access import can_organise
from volunteers.models import (
    Activity,
    ServiceRecord,
    SignUp,
    TeamMembership,
)
from volunteers.services.common import active_signups, local_time, lock_activity, same_street


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
    activity = lock_activity(activity)
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
    activity = lock_activity(activity)
    if not can_organise(user, activity):
        raise PermissionDenied
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError(_("该活动已经取消了。"))
    if activity.records.exists():
        raise ValidationError(_("已有签到记录的活动不能取消。"))
    activity.status = Activity.Status.CANCELLED
    activity.save(update_fields=["status"])
    holders = list(active_signups(activity).values_list("volunteer_id", flat=True))
    events.activity_cancelled.send(sender=Activity, activity=activity, volunteer_ids=holders)
    return activity


def _is_member(team, volunteer):
    return TeamMembership.objects.filter(
        team=team, volunteer=volunteer, status=TeamMembership.Status.ACTIVE
    ).exists()


@transaction.atomic
def signup_create(*, activity, volunteer, now=None):
    """Take one place in an activity.

    Capacity holds under any concurrency: the activity row is locked, the
    active sign-ups are counted under that lock, and the counter written back
    is checked by the database (signed_up_count <= capacity) as a backstop.
    """
    now = now or timezone.now()
    activity = lock_activity(activity)
    if not same_street(volunteer, activity.community):
        raise PermissionDenied(_("只能报名本街道的活动。"))
    state = activity.signup_state(now)
    if state == "cancelled":
        raise ValidationError(_("该活动已取消。"))
    if state == "not_yet":
        raise ValidationError(_("报名将于 %(time)s 开始。") % {"time": local_time(activity.signup_opens_at)})
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
    taken = active_signups(activity).count()
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
    activity = lock_activity(activity)
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
    Activity.objects.filter(pk=activity.pk).update(signed_up_count=active_signups(activity).count())
    return signup
