"""The unread badge in the navigation of every page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from notifications.selectors import UNREAD_BADGE_LIMIT, unread_count


def unread_notifications(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: pages that never show the badge (admin, e-mails) run no query.
    return {
        "unread_notification_count": SimpleLazyObject(
            lambda: unread_count(user, limit=UNREAD_BADGE_LIMIT)
        ),
        "unread_badge_limit": UNREAD_BADGE_LIMIT,
    }
