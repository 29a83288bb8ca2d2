from portal.roles import Role


def _crud(*models):
    return [f"grids.{action}_{model}" for model in models for action in ("view", "add", "change", "delete")]


PERMISSIONS = {
    Role.STREET_STAFF: _crud("grid", "building", "household", "resident", "gridassignment", "visit"),
    Role.COMMUNITY_SECRETARY: [
        "grids.view_grid",
        "grids.add_grid",
        "grids.change_grid",
        *_crud("building", "household", "resident", "gridassignment", "visit"),
    ],
    Role.GRID_WORKER: ["grids.view_grid", "grids.view_household", "grids.view_visit", "grids.add_visit"],
}
