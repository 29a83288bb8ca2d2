from portal.roles import Role

PERMISSIONS = {
    # Street staff look into what was sent in their street, and send failures again.
    Role.STREET_STAFF: ["inbox.view_notification", "inbox.view_delivery", "inbox.change_delivery"],
}
