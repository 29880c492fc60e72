"""Profile completion: a person whose profile lacks what Sqeeze needs is sent to
finish it before anything else (filled in by the social log-in work)."""


class ProfileCompletionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
