"""Request-wide behaviour of our own: show times in the user's zone (everything
is stored in UTC), and keep signed-in pages out of search engines."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.utils import timezone


class UserTimezoneMiddleware:
    """Activate the user's time zone for the request.

    Profiles have no time-zone column yet, so everyone sees
    ``DEFAULT_USER_TIMEZONE`` (Asia/Seoul); a later column only needs to feed
    ``_zone_for``.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.default_zone = zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIMEZONE)

    def __call__(self, request):
        timezone.activate(self._zone_for(request))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def _zone_for(self, request) -> zoneinfo.ZoneInfo:
        return self.default_zone


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
