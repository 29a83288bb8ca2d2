"""What the case pages share: turning a refusal into a message, serving a private photo, reading filters."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404


def run(request, act, done):
    """Call a service; a refusal (the state, a faster colleague, the rules) becomes a message. True when it worked."""
    try:
        act()
    except PermissionDenied as error:
        messages.error(request, str(error) or "您没有权限进行此操作。")
        return False
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(request, done)
    return True


def form_errors(request, form):
    """A form's errors as one message at the top of the page the person goes back to."""
    texts = [str(e) for errors in form.errors.values() for e in errors]
    messages.error(request, " ".join(texts))


def photo_response(photo):
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def choice_param(request, name, choices):
    value = request.GET.get(name, "")
    return value if value in choices else ""


def int_param(request, name):
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else None
