"""Show times in the user's zone; everything is stored in UTC."""

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
