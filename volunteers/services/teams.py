"""Volunteer teams: applying to join, the leader's decision, leaving."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from volunteers.access import can_manage_team
from volunteers.models import (
    TeamMembership,
)
from volunteers.services.common import same_street


@transaction.atomic
def team_join(*, team, volunteer, now=None):
    """Apply to join a team; the leader approves. Applying again after leaving is allowed."""
    now = now or timezone.now()
    if not same_street(volunteer, team.community):
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
