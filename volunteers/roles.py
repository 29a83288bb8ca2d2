from portal.roles import Role


def _perms(model, *actions):
    return [f"volunteers.{action}_{model}" for action in actions]


_CRUD = ("view", "add", "change", "delete")

# Staff run teams, volunteers, activities and records in their scope.
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
]

PERMISSIONS = {
    Role.STREET_STAFF: [
        *_COMMON,
        *_perms("volunteer", "delete"),
    ],
    Role.COMMUNITY_SECRETARY: _COMMON,
}
