"""Writes for volunteers, activities and service records.

Every state change follows lock, re-check, change, record: the activity row
is locked first (it guards capacity and attendance), then the row that
changes. Refusals are ValidationError (a message for the person) or
PermissionDenied (a wrong scope or role), and change nothing.
"""

from volunteers.services.activities import (
    activity_cancel,
    activity_create,
    activity_update,
    signup_cancel,
    signup_create,
)
from volunteers.services.people import (
    volunteer_report_to_community,
    volunteer_save,
)
from volunteers.services.records import (
    VerifyResult,
    attendance_check_in,
    attendance_check_out,
    attendance_check_out_all,
    attendance_mark_away,
    counted_records,
    service_hours,
    service_record_add_manual,
    service_record_update,
    service_record_verify,
    service_records_verify,
    service_statement_issue,
)
from volunteers.services.teams import (
    team_decide,
    team_join,
    team_leave,
)

__all__ = [
    "VerifyResult",
    "activity_cancel",
    "activity_create",
    "activity_update",
    "attendance_check_in",
    "attendance_check_out",
    "attendance_check_out_all",
    "attendance_mark_away",
    "counted_records",
    "service_hours",
    "service_record_add_manual",
    "service_record_update",
    "service_record_verify",
    "service_records_verify",
    "service_statement_issue",
    "signup_cancel",
    "signup_create",
    "team_decide",
    "team_join",
    "team_leave",
    "volunteer_report_to_community",
    "volunteer_save",
]
