from portal.pagecache import placeholder_context
from portal.roles import Role, has_role, works_in_admin


def portal(request):
    """What the shared layout needs to draw the navigation for this user."""
    user = request.user
    if not user.is_authenticated:
        return {"nav": {}, **placeholder_context(request)}
    return {
        "nav": {
            "admin": works_in_admin(user),
            "grid_worker": has_role(user, Role.GRID_WORKER) or works_in_admin(user),
            "unit_liaison": has_role(user, Role.UNIT_LIAISON),
            # Pairing partners: party members and volunteers (cadres are staff).
            "volunteer": has_role(user, Role.VOLUNTEER),
        },
        # Fragments rendered for a shared cache never hold anyone's real token.
        **placeholder_context(request),
    }
