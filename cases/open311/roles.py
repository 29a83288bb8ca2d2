from portal.roles import Role

PERMISSIONS = {
    # Street staff issue and revoke the API keys of their street (the admin: 接口密钥).
    Role.STREET_STAFF: [
        "open311.view_apikey",
        "open311.add_apikey",
        "open311.change_apikey",
    ],
}
