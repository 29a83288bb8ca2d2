from portal.roles import Role


def _crud(*models):
    return [
        f"alliances.{action}_{model}" for model in models for action in ("view", "add", "change", "delete")
    ]


# Staff manage what lies in their subtree (the scoping rule does the limiting):
# street staff the street's alliance and every committee, a secretary their
# community's committee, units, lists and meetings.
_STAFF = [
    *_crud("memberunit", "alliance", "membership", "resource", "need", "project", "jointmeeting"),
    "alliances.view_chairterm",
    "alliances.change_chairterm",
    "alliances.view_projectupdate",
    "alliances.add_projectupdate",
    "alliances.view_meetingattendance",
    "alliances.view_meetingproblem",
    "alliances.add_meetingproblem",
    "alliances.change_meetingproblem",
    "alliances.view_needoffer",
]

PERMISSIONS = {
    Role.STREET_STAFF: _STAFF,
    Role.COMMUNITY_SECRETARY: _STAFF,
    # Liaisons work on their own unit's pages; the selectors limit them to it.
    Role.UNIT_LIAISON: [
        "alliances.view_memberunit",
        "alliances.view_resource",
        "alliances.add_resource",
        "alliances.change_resource",
        "alliances.view_project",
        "alliances.view_projectupdate",
        "alliances.add_projectupdate",
        "alliances.view_jointmeeting",
    ],
}
