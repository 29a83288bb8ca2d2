"""Writes for alliances: membership and covenant, the rotating chair, the three
lists, matching, projects and their progress, joint meetings and their problems.

State changes follow lock, re-check, change, record: the row is re-read with
select_for_update inside the transaction, the transition is checked against
what is stored now, and a dated history row is written next to the change.
"""

from alliances.services.chair import (
    chair_for_month,
    chair_schedule_generate,
    chair_schedule_repair,
    chair_swap,
)
from alliances.services.lists import (
    need_close,
    need_create,
    resource_save,
    resource_set_active,
)
from alliances.services.meetings import (
    award_meeting_points,
    meeting_cancel,
    meeting_members,
    meeting_record,
    meeting_schedule,
    problem_follow_up,
    problem_raise,
)
from alliances.services.membership import (
    membership_join,
    membership_leave,
    membership_sign_covenant,
    unit_set_liaisons,
)
from alliances.services.offers import need_offer, need_offer_confirm, need_offer_decline
from alliances.services.projects import (
    alliance_for_match,
    award_project_points,
    project_create,
    project_create_from_match,
    project_post_update,
    project_set_status,
)

__all__ = [
    "alliance_for_match",
    "award_meeting_points",
    "award_project_points",
    "chair_for_month",
    "chair_schedule_generate",
    "chair_schedule_repair",
    "chair_swap",
    "meeting_cancel",
    "meeting_members",
    "meeting_record",
    "meeting_schedule",
    "membership_join",
    "membership_leave",
    "membership_sign_covenant",
    "need_close",
    "need_create",
    "need_offer",
    "need_offer_confirm",
    "need_offer_decline",
    "problem_follow_up",
    "problem_raise",
    "project_create",
    "project_create_from_match",
    "project_post_update",
    "project_set_status",
    "resource_save",
    "resource_set_active",
    "unit_set_liaisons",
]
