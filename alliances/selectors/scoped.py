"""Scoped reads for alliances.

Staff reach what lies in their subtree (portal.scoping). Unit liaisons have no
grid scope: they reach exactly their own unit's objects — the unit, its
resources, the projects it leads or partners in (with their updates and
photos), the alliances it belongs to with their chair schedules and meetings,
and the problems it owns — through its `liaisons`; and the needs of its alliances'
areas, which it may offer to take.
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from alliances.access import liaison_unit_ids
from alliances.models import (
    Alliance,
    JointMeeting,
    MeetingProblem,
    Membership,
    MemberUnit,
    Need,
    NeedOffer,
    Project,
    ProjectPhoto,
    Resource,
)
from portal.access import visible


def _with_liaison(base, user, liaison_filter):
    """Rows in the user's scope, plus those the user reaches as a unit liaison."""
    unit_ids = liaison_unit_ids(user)
    return visible(base, user, also=liaison_filter(unit_ids) if unit_ids else None)


def units_of_liaison(user):
    return MemberUnit.objects.filter(pk__in=liaison_unit_ids(user)).select_related("grid")


def units_visible_to(user):
    return _with_liaison(MemberUnit.objects.select_related("grid"), user, lambda ids: Q(pk__in=ids))


def get_unit_for_user_or_404(user, pk):
    return get_object_or_404(units_visible_to(user), pk=pk)


def alliances_visible_to(user):
    def member_of(ids):
        return Q(pk__in=Membership.objects.filter(unit__in=ids).values("alliance_id"))

    return _with_liaison(Alliance.objects.select_related("grid"), user, member_of)


def get_alliance_for_user_or_404(user, pk):
    return get_object_or_404(alliances_visible_to(user), pk=pk)


def resources_visible_to(user):
    return _with_liaison(
        Resource.objects.select_related("unit__grid", "community"), user, lambda ids: Q(unit__in=ids)
    )


def get_resource_for_user_or_404(user, pk):
    return get_object_or_404(resources_visible_to(user), pk=pk)


def current_memberships(on=None):
    on = on or timezone.localdate()
    return Membership.objects.filter(joined_on__lte=on).filter(Q(left_on__isnull=True) | Q(left_on__gt=on))


def _needs_of_alliances_of(ids):
    """Needs of the communities under the nodes of the alliances the units are members of today
    (an alliance's needs are its area's, see docs/alliances.md)."""
    nodes = Alliance.objects.filter(
        pk__in=current_memberships().filter(unit__in=ids).values("alliance_id")
    ).values_list("grid__tree_id", "grid__lft", "grid__rght")
    areas = Q(pk__in=[])
    for tree_id, lft, rght in nodes:
        areas |= Q(community__tree_id=tree_id, community__lft__gte=lft, community__rght__lte=rght)
    return areas


def needs_visible_to(user):
    """Needs are the communities' lists: staff by scope; a unit's liaison those of its alliances' areas."""
    return _with_liaison(Need.objects.select_related("community"), user, _needs_of_alliances_of)


def get_need_for_user_or_404(user, pk):
    return get_object_or_404(needs_visible_to(user), pk=pk)


def _projects_of_units(ids):
    involved = Project.objects.filter(Q(lead_unit__in=ids) | Q(partner_units__in=ids)).values("pk")
    return Q(pk__in=involved)


def projects_visible_to(user):
    base = Project.objects.select_related("community", "lead_unit", "alliance", "need")
    return _with_liaison(base, user, _projects_of_units)


def get_project_for_user_or_404(user, pk):
    return get_object_or_404(projects_visible_to(user), pk=pk)


def get_photo_for_user_or_404(user, pk):
    photos = ProjectPhoto.objects.filter(update__project__in=projects_visible_to(user).values("pk"))
    return get_object_or_404(photos, pk=pk)


def meetings_visible_to(user):
    def of_my_alliances(ids):
        return Q(alliance__in=Membership.objects.filter(unit__in=ids).values("alliance_id"))

    base = JointMeeting.objects.select_related("alliance__grid", "chair_unit")
    return _with_liaison(base, user, of_my_alliances)


def get_meeting_for_user_or_404(user, pk):
    return get_object_or_404(meetings_visible_to(user), pk=pk)


def get_problem_for_user_or_404(user, pk):
    problems = MeetingProblem.objects.select_related("meeting__alliance__grid", "owner_unit")
    return get_object_or_404(problems.filter(meeting__in=meetings_visible_to(user).values("pk")), pk=pk)


def offers_visible_to(user):
    """Units' offers on needs: staff by the need's community; a liaison their own units' offers."""
    base = NeedOffer.objects.select_related("need__community", "unit", "resource", "offered_by", "project")
    return _with_liaison(base, user, lambda ids: Q(unit__in=ids))


def get_offer_for_user_or_404(user, pk):
    return get_object_or_404(offers_visible_to(user), pk=pk)


def units_that_may_offer(user, need):
    """The user's units that are current members of an alliance over the need's community
    (its committee or its street's alliance) and have no offer waiting on it."""
    ids = liaison_unit_ids(user)
    if not ids:
        return MemberUnit.objects.none()
    community = need.community
    alliances = Alliance.objects.filter(grid__in=[community.pk, community.parent_id]).values("pk")
    members = current_memberships().filter(alliance__in=alliances, unit__in=ids).values("unit_id")
    waiting = NeedOffer.objects.filter(need=need, status=NeedOffer.Status.PENDING).values("unit_id")
    return MemberUnit.objects.filter(pk__in=members).exclude(pk__in=waiting).order_by("name", "pk")
