from django.utils.functional import SimpleLazyObject

from inbox.counts import counts_for


def inbox(request):
    """`inbox_counts` for the top bar: computed only if a template reads it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_counts": SimpleLazyObject(lambda: counts_for(user))}
