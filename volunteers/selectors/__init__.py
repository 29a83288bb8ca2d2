"""Scoped reads for volunteers, teams, activities and service records.

Staff see what lies in their scope (portal.scoping). A volunteer has no staff scope; they see the
teams and activities of their own street (the subtree of the street their home community belongs
to, the same MPTT range filter) and only their own sign-ups, records and points.

One module per purpose: `scoped` (the street and scope), `teams`, `activities`, `records` (volunteers,
records, hours, export), `dual` (双报到), `owed` (contacts, reminders, the to-do), `stats` (numbers for
the dashboard and the monthly report).
"""

from volunteers.selectors.activities import (
    RosterRow,
    activities_organised_by,
    activities_visible_to,
    attendance_roster,
    get_activity_for_organiser_or_404,
    get_activity_for_user_or_404,
    memberships_by_team,
    my_signups,
    record_of,
    signed_up_ids,
    signup_of,
    team_upcoming_activities,
    upcoming_activities,
)
from volunteers.selectors.dual import (
    Summary,
    dual_report_people,
    dual_report_summary,
    volunteer_summary,
)
from volunteers.selectors.owed import (
    hours_to_verify,
    pending_applications,
    phones_of_users,
    signups_starting_between,
    upcoming_signups,
    users_of_volunteers,
)
from volunteers.selectors.records import (
    export_mappings_visible_to,
    find_volunteer_to_add,
    get_record_for_organiser_or_404,
    get_volunteer_for_user_or_404,
    my_records,
    pending_hours,
    records_for_export,
    service_records_visible_to,
    verified_hours,
    volunteers_addable_by,
    volunteers_visible_to,
)
from volunteers.selectors.scoped import (
    home_street,
    street_of,
)
from volunteers.selectors.stats import (
    counted_hours,
    party_member_filter,
    unit_party_members,
)
from volunteers.selectors.teams import (
    get_membership_for_manager_or_404,
    get_team_for_user_or_404,
    membership_of,
    places_for,
    team_members,
    teams_organisable_by,
    teams_visible_to,
    teams_with_counts,
)

__all__ = [
    "RosterRow",
    "Summary",
    "activities_organised_by",
    "activities_visible_to",
    "attendance_roster",
    "counted_hours",
    "dual_report_people",
    "dual_report_summary",
    "export_mappings_visible_to",
    "find_volunteer_to_add",
    "get_activity_for_organiser_or_404",
    "get_activity_for_user_or_404",
    "get_membership_for_manager_or_404",
    "get_record_for_organiser_or_404",
    "get_team_for_user_or_404",
    "get_volunteer_for_user_or_404",
    "home_street",
    "hours_to_verify",
    "membership_of",
    "memberships_by_team",
    "my_records",
    "my_signups",
    "party_member_filter",
    "pending_applications",
    "pending_hours",
    "phones_of_users",
    "places_for",
    "record_of",
    "records_for_export",
    "service_records_visible_to",
    "signed_up_ids",
    "signup_of",
    "signups_starting_between",
    "street_of",
    "team_members",
    "team_upcoming_activities",
    "teams_organisable_by",
    "teams_visible_to",
    "teams_with_counts",
    "unit_party_members",
    "upcoming_activities",
    "upcoming_signups",
    "users_of_volunteers",
    "verified_hours",
    "volunteer_summary",
    "volunteers_addable_by",
    "volunteers_visible_to",
]
