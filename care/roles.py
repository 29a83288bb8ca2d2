from portal.roles import Role

# No delete: a pairing that is over is ended (its contacts stay as visits); a post
# no longer needed is closed (its claims and service stay).
_ACTIONS = ("view", "add", "change")

# Staff pair the vulnerable households of their scope and publish posts; partners and
# party members need no permission (their own pairings and posts are theirs to see).
# Service on posts is verified (changed) by staff, never added by them.
_STAFF = [
    *(f"care.{action}_pairing" for action in _ACTIONS),
    *(f"care.{action}_post" for action in _ACTIONS),
    "care.view_postclaim",
    "care.view_postservice",
    "care.change_postservice",
]

PERMISSIONS = {
    Role.STREET_STAFF: _STAFF,
    Role.COMMUNITY_SECRETARY: _STAFF,
}
