"""Web push writes: storing and forgetting a browser's subscription, and
queueing the push of a notification.

The services of push, called by the subscribe / unsubscribe views
(``notifications.views``) and by ``notifications.services.notification_send``. They sit
on top of the push modules: a subscription is checked by ``push_endpoints``
before it is stored, and ``push_queue`` hands the notification to the
``notifications.send_push`` task (``push_tasks``), which delivers it through
``push_delivery``. Delivery never imports this module, so queueing the task
needs no import inside a function.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction

from accounts.models import Profile
from core import tenancy
from core.db import DatabaseNow
from core.text import printable_line
from notifications.models import Notification, Subscription
from notifications.push_endpoints import push_subscription_clean
from notifications.push_keys import push_is_configured
from notifications.push_tasks import send_push

USER_AGENT_MAX_LENGTH = 255


def push_subscription_save(
    *, user: Profile, subscription_json: str | bytes | Mapping[str, Any], user_agent: str
) -> Subscription:
    """Store this browser's subscription for ``user``.

    The endpoint names one browser: subscribing again updates its row, and a
    browser now used by someone else (who turned push on) moves to them, so
    the previous person's messages stop appearing on it.
    """
    clean = push_subscription_clean(subscription_json)
    endpoint = clean["endpoint"]
    text = json.dumps(clean, separators=(",", ":"))
    agent = printable_line(user_agent, max_length=USER_AGENT_MAX_LENGTH) or None
    # The endpoint is the browser's secret: whoever holds it may take the row
    # over from its previous owner, whatever their academy (core.tenancy).
    with transaction.atomic(), tenancy.by_secret():
        subscription = Subscription.objects.select_for_update().filter(endpoint=endpoint).first()
        if subscription is None:
            try:
                with transaction.atomic():
                    return Subscription.objects.create(
                        user=user, endpoint=endpoint, notification_json=text, user_agent=agent
                    )
            except IntegrityError:
                # Another request stored the same browser a moment ago.
                subscription = Subscription.objects.select_for_update().get(endpoint=endpoint)
        taken_over = subscription.user_id != user.pk
        subscription.user = user
        subscription.notification_json = text
        subscription.user_agent = agent
        subscription.save(update_fields=["user", "notification_json", "user_agent"])
        if taken_over:
            # For its new owner the browser was subscribed now, not back then.
            Subscription.objects.filter(pk=subscription.pk).update(created_at=DatabaseNow())
            subscription.refresh_from_db(fields=["created_at"])
    return subscription


def push_subscription_delete(*, user: Profile, endpoint: str) -> bool:
    """Forget ``user``'s browser with ``endpoint``; False when they have none such
    (someone else's browser is "none such" too)."""
    if not isinstance(endpoint, str) or not endpoint:
        return False
    deleted, _details = Subscription.objects.filter(user=user, endpoint=endpoint).delete()
    return deleted > 0


def push_queue(notifications: Iterable[Notification]) -> None:
    """Schedule push delivery of each notification after the caller's
    transaction commits, when push is configured and its receiver has a
    subscribed browser: one query for all of them."""
    rows = list(notifications)
    if not rows or not push_is_configured():
        return
    subscribed = set(
        Subscription.objects.filter(user_id__in={row.receiver_id for row in rows}).values_list(
            "user_id", flat=True
        )
    )
    for row in rows:
        if row.receiver_id in subscribed:
            send_push.delay_on_commit(str(row.pk))
