from portal.roles import Role


def _perms(model, *actions):
    return [f"points.{action}_{model}" for action in actions]


# The ledger and the totals are read-only to everyone: entries are corrected
# by reversing entries (street staff), totals are written by the rollup only.
_COMMON = [
    *_perms("pointsentry", "view"),
    *_perms("pointstotal", "view"),
    *_perms("pointsrule", "view"),
]

PERMISSIONS = {
    Role.STREET_STAFF: [
        *_COMMON,
        *_perms("pointsrule", "change"),
        *_perms("pointsentry", "reverse"),
    ],
    Role.COMMUNITY_SECRETARY: _COMMON,
}
