from portal.roles import Role

# Staff read and (re)build the monthly reports of the alliances in their scope;
# liaisons read those of their units' alliances through the report pages.
_STAFF = ["reports.view_monthlyreport", "reports.add_monthlyreport"]

PERMISSIONS = {
    Role.STREET_STAFF: _STAFF,
    Role.COMMUNITY_SECRETARY: _STAFF,
}
