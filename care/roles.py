from portal.roles import Role

# No delete: a pairing that is over is ended (its contacts stay as visits).
_ACTIONS = ("view", "add", "change")

# Staff pair the vulnerable households of their scope; partners need no permission
# (their own pairings are theirs to see).
PERMISSIONS = {
    Role.STREET_STAFF: [f"care.{action}_pairing" for action in _ACTIONS],
    Role.COMMUNITY_SECRETARY: [f"care.{action}_pairing" for action in _ACTIONS],
}
