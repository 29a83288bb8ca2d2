from portal.roles import Role

# Staff review and follow up wishes in their subtree; anyone with a scope who
# holds add_wish may file wishes for residents without the per-address limit.
_STAFF = [
    "wishes.view_wish",
    "wishes.review_wish",
    "wishes.add_wish",
    "wishes.view_claim",
    "wishes.view_wishevent",
]

PERMISSIONS = {
    Role.STREET_STAFF: _STAFF,
    Role.COMMUNITY_SECRETARY: _STAFF,
    Role.GRID_WORKER: ["wishes.add_wish"],
}
