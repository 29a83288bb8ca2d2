from portal.roles import Role


def _perms(model, *actions):
    return [f"volunteers.{action}_{model}" for action in actions]


_CRUD = ("view", "add", "change", "delete")

# Staff run teams, volunteers, activities and records in their scope. The
# ledger and the rollup are read-only to everyone: entries are corrected by
# reversing entries (street staff), totals are written by the rollup only.
_COMMON = [
    *_perms("volunteerteam", *_CRUD),
    *_perms("volunteer", "view", "add", "change"),
    *_perms("teammembership", *_CRUD),
    *_perms("dualreport", *_CRUD),
    *_perms("activity", "view", "add", "change"),
    *_perms("signup", "view"),
    *_perms("servicerecord", "view", "add", "change"),
    *_perms("servicestatement", "view"),
    *_perms("exportmapping", *_CRUD),
    *_perms("pointsentry", "view"),
    *_perms("pointstotal", "view"),
    *_perms("pointsrule", "view"),
]

PERMISSIONS = {
    Role.STREET_STAFF: [
        *_COMMON,
        *_perms("volunteer", "delete"),
        *_perms("pointsrule", "change"),
        *_perms("pointsentry", "reverse"),
    ],
    Role.COMMUNITY_SECRETARY: _COMMON,
}
