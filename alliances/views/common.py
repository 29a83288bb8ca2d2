"""What the alliances' pages share: who may open them, and how a service's refusal reaches the form."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from alliances import access
from portal.access import staff_over
from portal.scoping import NOTHING, scope_of

PAGE_SIZE = 30


def _error_text(error):
    return " ".join(error.messages)


def staff_or_liaison_required(view):
    """Signed in, and either holding a grid scope (staff) or being a unit's liaison."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if scope_of(request.user) is NOTHING and not access.liaison_unit_ids(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _staff_only(user, node, permission):
    if not staff_over(user, node, permission):
        raise PermissionDenied


def form_errors(form, error):
    """Put a service's ValidationError on the form: on its field when it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
