from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from portal.scoping import NOTHING, scope_of


def scope_required(view):
    """Signed in, and holding a scope on the grid tree (or a superuser)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if scope_of(request.user) is NOTHING:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
