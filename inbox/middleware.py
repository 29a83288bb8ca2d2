from inbox.counts import forget


class FreshCountsMiddleware:
    """After a signed-in user's successful POST, their top bar counts are computed afresh.

    Reviewing a wish, marking a claim fulfilled or a follow-up done changes
    what they owe; without this the badge would lag by the cache time.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            request.method == "POST"
            and user is not None
            and user.is_authenticated
            and response.status_code < 400
        ):
            forget([user.pk])
        return response
