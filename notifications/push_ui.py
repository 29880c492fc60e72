"""The push control on the notification settings page: its template context
and the short browser names it lists.

Presentation only (reads, no writes): the settings view
(``notifications.views.preferences``) and the subscribe view's JSON answer
(``notifications.views``) both name browsers the same way, so the helpers live here
rather than in either view module or among the push services.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext

from notifications.models import Subscription
from notifications.push_keys import push_is_configured

_BROWSERS = (
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("OPR/", "Opera"),
    ("Whale/", "Whale"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("KAKAOTALK", "KakaoTalk"),
    ("NAVER(", "NAVER"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)


def browser_label(user_agent: str | None) -> str:
    """A short name for a browser ("Chrome · Windows") from its User-Agent."""
    if not user_agent:
        return gettext("Unknown browser")
    browser = next((name for token, name in _BROWSERS if token in user_agent), None)
    system = next((name for token, name in _SYSTEMS if token in user_agent), None)
    if browser and system:
        return f"{browser} · {system}"
    return browser or system or user_agent[:60]


def push_control_context(request: HttpRequest) -> dict[str, Any]:
    """Context for ``notifications/_push_control.html``:

    - ``vapid_public_key``: the applicationServerKey, or "" when push is not
      configured (the control then says so);
    - ``push_subscriptions``: the user's subscribed browsers, newest first,
      each with a ``browser_label``.
    """
    subscriptions = list(
        Subscription.objects.filter(user=request.user).order_by("-created_at", "-id")
    )
    for subscription in subscriptions:
        subscription.browser_label = browser_label(subscription.user_agent)
    return {
        "vapid_public_key": settings.VAPID_PUBLIC_KEY if push_is_configured() else "",
        "push_subscriptions": subscriptions,
    }
