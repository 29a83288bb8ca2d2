"""Pages of the alliances: thin views over alliances.selectors and alliances.services.

Objects outside what a user may reach answer 404 (like absent ones); an action
on a visible object that the user may not take answers 403.
"""

from alliances.views.alliances import (
    alliance_detail,
    chair_generate,
    chair_swap,
    covenant_sign,
    index,
)
from alliances.views.meetings import (
    meeting_cancel,
    meeting_detail,
    meeting_new,
    meeting_record,
    problem_follow_up,
    problem_new,
)
from alliances.views.needs import (
    need_close,
    need_detail,
    need_list,
    need_match,
    need_offer,
    offer_confirm,
    offer_decline,
)
from alliances.views.projects import (
    photo,
    project_detail,
    project_list,
    project_status,
    project_update_new,
)
from alliances.views.units import (
    my_unit,
    resource_edit,
    resource_new,
    resource_toggle,
    unit_detail,
)

__all__ = [
    "alliance_detail",
    "chair_generate",
    "chair_swap",
    "covenant_sign",
    "index",
    "meeting_cancel",
    "meeting_detail",
    "meeting_new",
    "meeting_record",
    "my_unit",
    "need_close",
    "need_detail",
    "need_list",
    "need_match",
    "need_offer",
    "offer_confirm",
    "offer_decline",
    "photo",
    "problem_follow_up",
    "problem_new",
    "project_detail",
    "project_list",
    "project_status",
    "project_update_new",
    "resource_edit",
    "resource_new",
    "resource_toggle",
    "unit_detail",
]
