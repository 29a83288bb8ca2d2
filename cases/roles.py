from portal.roles import Role

_READ = ["cases.view_case", "cases.view_caseevent", "cases.view_dispatch", "cases.view_casephoto"]

PERMISSIONS = {
    Role.STREET_STAFF: [
        *_READ,
        "cases.handle_case",
        "cases.dispatch_case",
        "cases.verify_case",
        "cases.view_category",
        "cases.add_category",
        "cases.change_category",
        "cases.view_department",
        "cases.add_department",
        "cases.change_department",
    ],
    Role.COMMUNITY_SECRETARY: [*_READ, "cases.handle_case", "cases.verify_case"],
    Role.GRID_WORKER: ["cases.handle_case"],
}
