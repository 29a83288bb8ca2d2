"""Regional party-building alliances: member units, the covenant, the rotating
chair, the three lists (resources, needs, projects) and the joint meetings.

Everything that the monthly joint-meeting report reads is dated: membership
joining and leaving, chair months, status changes of needs and projects
(NeedStatusChange, ProjectStatusChange), progress updates, meeting attendance
and the follow-ups of problems raised at meetings.
"""

from alliances.models.alliances import (
    Alliance,
    ChairSwap,
    ChairTerm,
    Membership,
)
from alliances.models.lists import (
    Need,
    NeedOffer,
    NeedStatusChange,
    Resource,
    ResourceKind,
)
from alliances.models.meetings import (
    JointMeeting,
    MeetingAttendance,
    MeetingProblem,
    ProblemFollowUp,
)
from alliances.models.projects import (
    PrivatePhotoStorage,
    Project,
    ProjectPhoto,
    ProjectStatusChange,
    ProjectUpdate,
    _photo_path,  # noqa: F401 (named by migration 0002)
    private_photo_storage,
)
from alliances.models.units import (
    MemberUnit,
    unit_keys,
    unit_name_key,
)

__all__ = [
    "Alliance",
    "ChairSwap",
    "ChairTerm",
    "JointMeeting",
    "MeetingAttendance",
    "MeetingProblem",
    "MemberUnit",
    "Membership",
    "Need",
    "NeedOffer",
    "NeedStatusChange",
    "PrivatePhotoStorage",
    "ProblemFollowUp",
    "Project",
    "ProjectPhoto",
    "ProjectStatusChange",
    "ProjectUpdate",
    "Resource",
    "ResourceKind",
    "private_photo_storage",
    "unit_keys",
    "unit_name_key",
]
