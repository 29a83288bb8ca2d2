"""Scoped reads for alliances.

Staff reach what lies in their subtree (portal.scoping). Unit liaisons have no
grid scope: they reach exactly their own unit's objects — the unit, its
resources, the projects it leads or partners in (with their updates and
photos), the alliances it belongs to with their chair schedules and meetings,
and the problems it owns — through its `liaisons`.
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from alliances.access import liaison_unit_ids
from alliances.models import (
    Alliance,
    JointMeeting,
    MeetingProblem,
    Membership,
    MemberUnit,
    Need,
    Project,
    ProjectPhoto,
    Resource,
)
from portal.access import visible
from portal.scoping import scope_queryset


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


def needs_visible_to(user):
    """Needs are the communities' lists: staff only, by scope."""
    return scope_queryset(Need.objects.select_related("community"), user)


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
