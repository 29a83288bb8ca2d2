from portal.roles import Role, has_role, works_in_admin


def portal(request):
    """What the shared layout needs to draw the navigation for this user."""
    user = request.user
    if not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "admin": works_in_admin(user),
            "grid_worker": has_role(user, Role.GRID_WORKER) or works_in_admin(user),
        }
    }
