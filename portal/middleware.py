"""Response headers every page gets, and the shorter session of staff.

- Content-Security-Policy: scripts come from this site only (no inline script
  anywhere: templates use static files and data attributes, portal/portal.js),
  no plugins, no framing, forms post to this site. Inline style attributes
  stay allowed: the rainbow colour of each household is one, and a style
  cannot run code.
- Cache-Control: private, no-store on every page for a signed-in user (they
  show personal data) and on the resident's tracking pages, so no shared
  proxy or browser history keeps them.
- Staff sessions (anyone who works in the admin, holds a scope or is a grid
  worker) end after STAFF_SESSION_IDLE_HOURS without a request; volunteers,
  who only see their own records on their phone, keep the longer default.
"""

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in

# import-export's export page ticks every field with one inline handler,
# onchange="onSelectToggleChange(event)"; allowed by its hash, as CSP 3
# permits for event handler attributes (a test checks the hash still matches).
_EXPORT_TOGGLE = "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"

CSP = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' 'unsafe-hashes' {_EXPORT_TOGGLE}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
NO_STORE = "private, no-store"

_IDLE_KEY = "portal_idle_seconds"
_TOUCHED_KEY = "portal_touched_at"
# A staff session's expiry moves on at most this often, so it is not written on every request.
_TOUCH_EVERY = 300


def staff_session_idle_seconds():
    return settings.STAFF_SESSION_IDLE_HOURS * 3600


def _is_staff_like(user):
    from portal.roles import Role, has_role, works_in_admin
    from portal.scoping import NOTHING, scope_of

    return (
        user.is_staff
        or works_in_admin(user)
        or has_role(user, Role.GRID_WORKER)
        or scope_of(user) is not NOTHING
    )


def start_staff_session(sender, request, user, **kwargs):
    """Receiver of user_logged_in: staff get the short, idle-timed session."""
    if request is None or not hasattr(request, "session") or not _is_staff_like(user):
        return
    idle = staff_session_idle_seconds()
    request.session[_IDLE_KEY] = idle
    request.session[_TOUCHED_KEY] = int(time.time())
    request.session.set_expiry(idle)


def connect_signals():
    user_logged_in.connect(start_staff_session, dispatch_uid="portal.middleware.start_staff_session")


class SecurityHeadersMiddleware:
    """Sits below AuthenticationMiddleware: it needs to know whether the user is signed in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self._keep_staff_session_alive(request)
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or getattr(response, "portal_private", False):
            response["Cache-Control"] = NO_STORE
            response.headers.pop("Expires", None)
        return response

    @staticmethod
    def _keep_staff_session_alive(request):
        session = getattr(request, "session", None)
        if session is None or _IDLE_KEY not in session:
            return
        now = int(time.time())
        if now - session.get(_TOUCHED_KEY, 0) >= _TOUCH_EVERY:
            session[_TOUCHED_KEY] = now
            session.set_expiry(session[_IDLE_KEY])


def private(view):
    """Decorator for pages with personal data shown without a sign-in (the resident's tracking pages)."""
    from functools import wraps

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.portal_private = True
        return response

    return wrapper
