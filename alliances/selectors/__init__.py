"""Reads of the alliances app, one module per purpose, re-exported here.

- `scoped`: what a user may list and open (staff by subtree, liaisons by unit);
- `pages`: what the alliance, unit and project pages show beside the object;
- `matching`: resources suggested for a need, with scores and reasons;
- `month`: one alliance's month, for the monthly joint-meeting report;
- `stats`: the needs and projects numbers of the staff dashboard;
- `owed`: what units and staff owe next, and whom to tell (the inbox).
"""

from alliances.selectors.matching import Suggestion, match_suggestions
from alliances.selectors.month import (
    month_meetings,
    month_members,
    month_needs,
    month_problems,
    month_projects,
    unit_brief,
    unit_project_counts,
)
from alliances.selectors.owed import (
    covenants_to_sign,
    liaisons_of_alliance,
    matched_projects_to_start,
    meetings_ahead,
    offer_deciders,
    offers_to_decide,
    open_problems_of_units,
    overdue_needs,
    overdue_problems,
    overdue_projects,
    projects_due_update,
)
from alliances.selectors.pages import alliance_members, chair_schedule, project_timeline
from alliances.selectors.scoped import (
    alliances_visible_to,
    get_alliance_for_user_or_404,
    get_meeting_for_user_or_404,
    get_need_for_user_or_404,
    get_offer_for_user_or_404,
    get_photo_for_user_or_404,
    get_problem_for_user_or_404,
    get_project_for_user_or_404,
    get_resource_for_user_or_404,
    get_unit_for_user_or_404,
    meetings_visible_to,
    needs_visible_to,
    offers_visible_to,
    projects_visible_to,
    resources_visible_to,
    units_of_liaison,
    units_that_may_offer,
    units_visible_to,
)
from alliances.selectors.stats import (
    NEED_COUNTS,
    PROJECT_STATUSES,
    hot_need_key,
    hot_needs,
    need_counts,
    project_counts,
)

__all__ = [
    "NEED_COUNTS",
    "PROJECT_STATUSES",
    "Suggestion",
    "alliance_members",
    "alliances_visible_to",
    "chair_schedule",
    "covenants_to_sign",
    "get_alliance_for_user_or_404",
    "get_meeting_for_user_or_404",
    "get_need_for_user_or_404",
    "get_offer_for_user_or_404",
    "get_photo_for_user_or_404",
    "get_problem_for_user_or_404",
    "get_project_for_user_or_404",
    "get_resource_for_user_or_404",
    "get_unit_for_user_or_404",
    "hot_need_key",
    "hot_needs",
    "liaisons_of_alliance",
    "match_suggestions",
    "matched_projects_to_start",
    "meetings_ahead",
    "meetings_visible_to",
    "month_meetings",
    "month_members",
    "month_needs",
    "month_problems",
    "month_projects",
    "need_counts",
    "needs_visible_to",
    "offer_deciders",
    "offers_to_decide",
    "offers_visible_to",
    "open_problems_of_units",
    "overdue_needs",
    "overdue_problems",
    "overdue_projects",
    "project_counts",
    "project_timeline",
    "projects_due_update",
    "projects_visible_to",
    "resources_visible_to",
    "unit_brief",
    "unit_project_counts",
    "units_of_liaison",
    "units_that_may_offer",
    "units_visible_to",
]
