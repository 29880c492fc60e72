"""Request-wide behaviour of our own: show pages in the person's language and
time zone (everything is stored in UTC), and keep signed-in pages out of search
engines."""

from __future__ import annotations

from django.utils import timezone, translation

from core.moments import is_known_language, zone_of


class UserTimezoneMiddleware:
    """Activate the signed-in person's language and time zone for the request,
    the same ones their e-mails and pushes use (``core.moments``).

    Zone: theirs, else ``DEFAULT_USER_TIMEZONE`` (also for visitors). Language:
    the one they chose, else what ``LocaleMiddleware`` already picked (the
    language switcher's cookie, then the browser's Accept-Language). It stays
    active to the end of the response, so ``LocaleMiddleware`` announces it in
    ``Content-Language``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        person = user if user is not None and user.is_authenticated else None
        language = getattr(person, "language", None)
        if is_known_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        timezone.activate(zone_of(person))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class RobotsTagMiddleware:
    """Tell search engines to keep every signed-in page out of their index.

    A signed-in page (a feed, a post, a profile, a plan) is never meant for
    search results; base.html already says ``noindex`` in a meta tag, and this
    header says it for every response, HTML or not (exports, downloads, JSON).
    Crawlers come anonymously, so public pages are unaffected. A view that set
    its own ``X-Robots-Tag`` keeps it.
    """

    HEADER = "X-Robots-Tag"
    VALUE = "noindex, nofollow"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if self.HEADER not in response and user is not None and user.is_authenticated:
            response[self.HEADER] = self.VALUE
        return response
