from portal.roles import Role

# The community's party organisation (its secretary, street staff) vets topics on their
# page, records sessions and resolutions here; ballots are read, never edited.
_STAFF = [
    "deliberation.view_topic",
    "deliberation.view_session",
    "deliberation.add_session",
    "deliberation.change_session",
    "deliberation.view_resolution",
    "deliberation.add_resolution",
    "deliberation.view_vote",
]

PERMISSIONS = {
    Role.STREET_STAFF: _STAFF,
    Role.COMMUNITY_SECRETARY: _STAFF,
}
