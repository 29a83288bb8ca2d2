"""Matching a community's need to the member units' resources: scored, with the reasons."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.models import Alliance, Membership, Project, Resource
from alliances.selectors.scoped import resources_visible_to

POINTS_KIND = 40
POINTS_SAME_COMMUNITY = 30
POINTS_WHOLE_STREET = 20
POINTS_AVAILABLE_THROUGHOUT = 20
POINTS_AVAILABLE_PARTLY = 10
POINTS_ENOUGH = 10
PENALTY_PER_ACTIVE_PROJECT = 5
MAX_PENALTY = 15
DEFAULT_WINDOW_DAYS = 30


@dataclass
class Suggestion:
    """A resource suggested for a need, with its score and the reasons for it."""

    resource: Resource
    score: int = 0
    reasons: list = field(default_factory=list)  # (text, points) pairs

    def add(self, points, text):
        self.score += points
        self.reasons.append((text, points))


def _alliances_covering(community):
    return Alliance.objects.filter(grid__in=[community.pk, community.parent_id])


def _current_member_units(alliances, on):
    memberships = Membership.objects.filter(alliance__in=alliances, joined_on__lte=on).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=on)
    )
    return memberships.values("unit_id")


def match_suggestions(need, user, today=None, limit=10):
    """Resources for an open need, best first, each with an explained score out of 100.

    Candidates: active resources of the kind the need asks for, offered by units
    that are current members of the community's committee or the street's
    alliance, available at some time between today and the wanted-by date (30
    days ahead when there is none), and visible to the user. Score:
      kind matches                                  +40
      serves this community +30, or the whole street +20 (another community: 0)
      available the whole window +20, part of it +10
      quantity covers the need                      +10
      already used by active projects               −5 each, at most −15
    """
    today = today or timezone.localdate()
    window_end = need.wanted_by if need.wanted_by and need.wanted_by >= today else None
    window_end = window_end or today + datetime.timedelta(days=DEFAULT_WINDOW_DAYS)
    candidates = (
        resources_visible_to(user)
        .filter(
            is_active=True,
            kind=need.kind,
            unit__in=_current_member_units(_alliances_covering(need.community), today),
        )
        .filter(Q(available_until__isnull=True) | Q(available_until__gte=today))
        .filter(Q(available_from__isnull=True) | Q(available_from__lte=window_end))
        .annotate(
            active_projects=Count("projects", filter=Q(projects__status__in=Project.ACTIVE), distinct=True)
        )
    )
    suggestions = [_score(need, resource, today, window_end) for resource in candidates]
    suggestions.sort(key=lambda s: (-s.score, s.resource.unit.name, s.resource.title))
    return suggestions[:limit]


def _score(need, resource, today, window_end):
    suggestion = Suggestion(resource=resource)
    suggestion.add(POINTS_KIND, _("类别相符：%(kind)s") % {"kind": resource.get_kind_display()})
    if resource.community_id == need.community_id:
        suggestion.add(POINTS_SAME_COMMUNITY, _("服务本社区"))
    elif resource.community_id is None:
        suggestion.add(POINTS_WHOLE_STREET, _("全街道可用"))
    else:
        suggestion.add(0, _("服务的是%(c)s") % {"c": resource.community.name})
    starts_in_time = resource.available_from is None or resource.available_from <= today
    lasts = resource.available_until is None or resource.available_until >= window_end
    if starts_in_time and lasts:
        suggestion.add(
            POINTS_AVAILABLE_THROUGHOUT, _("%(day)s 前一直可用") % {"day": f"{window_end:%Y-%m-%d}"}
        )
    else:
        since = resource.available_from if not starts_in_time else today
        until = resource.available_until if not lasts else window_end
        suggestion.add(
            POINTS_AVAILABLE_PARTLY,
            _("部分时间可用：%(start)s 至 %(end)s")
            % {"start": f"{since:%Y-%m-%d}", "end": f"{until:%Y-%m-%d}"},
        )
    if need.quantity:
        if resource.quantity >= need.quantity:
            suggestion.add(
                POINTS_ENOUGH,
                _("数量足够：%(have)s，需要 %(want)s")
                % {"have": resource.quantity_label, "want": need.quantity},
            )
        else:
            suggestion.add(
                0,
                _("数量不足：%(have)s，需要 %(want)s")
                % {"have": resource.quantity_label, "want": need.quantity},
            )
    busy = getattr(resource, "active_projects", 0)
    if busy:
        suggestion.add(
            -min(busy * PENALTY_PER_ACTIVE_PROJECT, MAX_PENALTY),
            _("已用于 %(n)s 个进行中的项目") % {"n": busy},
        )
    return suggestion
