"""The client's address, for rate limits and login lockout."""

from django.conf import settings


def client_ip(request):
    """The address of the client that sent `request`.

    Behind a reverse proxy, the proxy's header named by CLIENT_IP_HEADER is
    trusted; otherwise the socket address. X-Forwarded-For is never read
    blindly: any client can send it and would pick its own rate-limit bucket.
    """
    header = settings.CLIENT_IP_HEADER
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        # A proxy that appends keeps the address it saw last.
        candidate = value.split(",")[-1].strip()
        if candidate:
            return candidate
    return request.META.get("REMOTE_ADDR", "")


def ratelimit_key(group, request):
    """django-ratelimit key function using the trusted client address."""
    return client_ip(request)
