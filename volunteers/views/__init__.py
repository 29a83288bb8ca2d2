"""Pages of the volunteers app: activities, teams, organising, records of service and the staff pages."""

from volunteers.views.activities import (
    activity_detail,
    activity_list,
    activity_signup,
    activity_withdraw,
    checkin,
)
from volunteers.views.organising import (
    activity_cancel,
    activity_edit,
    activity_new,
    activity_qr,
    activity_verify,
    attendance,
    attendance_add,
    attendance_check_out_all,
    attendance_mark,
    organise_list,
    record_update,
)
from volunteers.views.staff import (
    dual_reports,
    records_export,
)
from volunteers.views.statements import (
    my_statement,
    volunteer_statement,
)
from volunteers.views.teams import (
    membership_decide,
    team_detail,
    team_join,
    team_leave,
    team_list,
)

__all__ = [
    "activity_cancel",
    "activity_detail",
    "activity_edit",
    "activity_list",
    "activity_new",
    "activity_qr",
    "activity_signup",
    "activity_verify",
    "activity_withdraw",
    "attendance",
    "attendance_add",
    "attendance_check_out_all",
    "attendance_mark",
    "checkin",
    "dual_reports",
    "membership_decide",
    "my_statement",
    "organise_list",
    "record_update",
    "records_export",
    "team_detail",
    "team_join",
    "team_leave",
    "team_list",
    "volunteer_statement",
]
