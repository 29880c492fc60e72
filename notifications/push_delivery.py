"""Web push delivery: one notification to one subscribed browser, and what the
push service's answer means for the browser's row and for a retry.

For each notification that wants push, the ``notifications.send_push`` task
(``push_tasks``) calls ``push_deliver`` for every browser of the receiver:
it encrypts a small JSON payload (RFC 8291), signs a VAPID token (RFC 8292)
and POSTs it to the browser's push service, connecting only to the address
``push_endpoints.endpoint_pin`` checked just before (``push_network``).

Kept apart from the subscription writes (``push_services``) because only the
worker runs this: it decides outcomes (sent, gone, dropped, retry) and the
backoff, and it is the one place that loads ``pywebpush``.
"""

from __future__ import annotations

import enum
import json
import logging
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.templatetags.static import static
from django.urls import reverse

from core.links import absolute_url
from core.moments import in_person_terms
from notifications.models import Notification, Subscription
from notifications.push_endpoints import endpoint_pin, subscription_parse
from notifications.push_keys import push_is_configured, vapid_signer
from notifications.push_network import pinned_session
from notifications.types import NOTIFICATION_TYPES

logger = logging.getLogger(__name__)

PUSH_TTL_SECONDS = 24 * 60 * 60  # a push service keeps the message a day for offline browsers
PUSH_TIMEOUT_SECONDS = 10
PUSH_MAX_RETRIES = 5
PUSH_RETRY_BASE_SECONDS = 30
PUSH_RETRY_MAX_SECONDS = 60 * 60
PUSH_BODY_MAX_LENGTH = 1000  # the encrypted payload must stay under 4 KB
PUSH_ICON = "icons/sqeeze-192.png"  # PNG: not every browser draws SVG in a notification


class PushOutcome(enum.Enum):
    SENT = "sent"
    GONE = "gone"  # the push service forgot the browser: its row is deleted
    DROPPED = "dropped"  # refused for good: this message is given up
    RETRY = "retry"  # temporary failure: try again later
    SKIPPED = "skipped"  # nothing to send (row vanished, push switched off)


@dataclass(frozen=True)
class PushResult:
    outcome: PushOutcome
    status: int | None = None
    retry_after: int | None = None


def push_payload(notification: Notification) -> dict[str, str]:
    """The JSON the service worker shows: title, body, url (absolute), icon, tag.

    The body is the notification's text, already written in the receiver's
    language and zone when it was created; the title (the type's name) is
    translated here, in the worker, for the receiver too."""
    kind = NOTIFICATION_TYPES.get(notification.type)
    with in_person_terms(notification.receiver):
        title = str(kind.label) if kind else "Sqeeze"
    body = notification.message or ""
    if len(body) > PUSH_BODY_MAX_LENGTH:
        body = body[: PUSH_BODY_MAX_LENGTH - 1] + "…"
    return {
        "title": title,
        "body": body,
        "url": absolute_url(notification.link or reverse("notifications:inbox")),
        "icon": absolute_url(static(PUSH_ICON)),
        # One notification shows once, even if a retry delivers it twice.
        "tag": str(notification.pk),
    }


def push_subscription_ids(*, notification_id: str) -> list[str]:
    """The receiver's subscribed browsers for ``notification_id`` (none if it vanished)."""
    receiver_id = (
        Notification.objects.filter(pk=notification_id)
        .values_list("receiver_id", flat=True)
        .first()
    )
    if receiver_id is None:
        return []
    return [
        str(pk)
        for pk in Subscription.objects.filter(user_id=receiver_id)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)
    ]


def _retry_after_seconds(value: str | None) -> int | None:
    if value and value.strip().isdigit():
        return min(int(value.strip()), PUSH_RETRY_MAX_SECONDS)
    return None  # an HTTP date, or nothing: our own backoff decides


def push_deliver(*, subscription_id: str, notification_id: str) -> PushResult:
    """Send one notification to one subscribed browser.

    201/200/202 → sent; 404/410 → the browser is gone, its row is deleted;
    429, 5xx, or no answer → retry later (the row stays); any other answer →
    logged and dropped. Before anything is sent the endpoint's host is resolved
    and checked again: a name that does not resolve now → retry; one that now
    leads to a non-public address → dropped, with no connection made.
    """
    if not push_is_configured():
        return PushResult(PushOutcome.SKIPPED)
    notification = (
        Notification.objects.select_related("receiver").filter(pk=notification_id).first()
    )
    if notification is None or not notification.receiver.is_active:
        return PushResult(PushOutcome.SKIPPED)
    subscription = Subscription.objects.filter(
        pk=subscription_id, user_id=notification.receiver_id
    ).first()
    if subscription is None:
        return PushResult(PushOutcome.SKIPPED)
    try:
        info, endpoint = subscription_parse(subscription.notification_json)
    except ValidationError as error:
        # A row no browser could have sent us (or one the SSRF rule now refuses).
        logger.warning(
            "Deleting push subscription %s: %s", subscription.pk, "; ".join(error.messages)
        )
        subscription.delete()
        return PushResult(PushOutcome.GONE)
    # The name was checked at subscription, but its answer may have changed since
    # (DNS rebinding): check it again now, and connect to what was checked.
    try:
        pin = endpoint_pin(endpoint)
    except ValidationError as error:
        if error.code == "endpoint_dns":
            logger.info(
                "Push to subscription %s: %s does not resolve now, will retry.",
                subscription.pk,
                endpoint.host,
            )
            return PushResult(PushOutcome.RETRY)
        # The browser row stays: the name may point back at its push service
        # later, and until then nothing is sent.
        logger.warning(
            "Push to subscription %s refused: %s resolves to an address we must not reach.",
            subscription.pk,
            endpoint.host,
        )
        return PushResult(PushOutcome.DROPPED)

    # pywebpush pulls in aiohttp (a quarter second): only the worker needs it.
    from pywebpush import WebPushException, webpush

    data = json.dumps(push_payload(notification), ensure_ascii=False, separators=(",", ":"))
    try:
        with pinned_session(pin) as session:
            webpush(
                subscription_info=info,
                data=data,
                vapid_private_key=vapid_signer(),
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                ttl=PUSH_TTL_SECONDS,
                timeout=PUSH_TIMEOUT_SECONDS,
                requests_session=session,
            )
    except WebPushException as error:
        status = error.status_code
        if status in (404, 410):
            Subscription.objects.filter(pk=subscription.pk).delete()
            return PushResult(PushOutcome.GONE, status=status)
        if status == 429 or (status is not None and status >= 500):
            return PushResult(
                PushOutcome.RETRY,
                status=status,
                retry_after=_retry_after_seconds(error.retry_after),
            )
        logger.warning(
            "Push to subscription %s refused (%s): %s",
            subscription.pk,
            status,
            (getattr(error.response, "text", "") or error.message)[:500],
        )
        return PushResult(PushOutcome.DROPPED, status=status)
    except requests.RequestException as error:
        logger.info("Push to subscription %s failed, will retry: %s", subscription.pk, error)
        return PushResult(PushOutcome.RETRY)
    return PushResult(PushOutcome.SENT, status=201)


def push_retry_delay(*, retries: int, retry_after: int | None = None) -> int:
    """Seconds before retry number ``retries + 1``: 30 s, 1, 2, 4, 8 minutes…,
    or longer when the push service asked for it (Retry-After), at most an hour."""
    delay = PUSH_RETRY_BASE_SECONDS * 2 ** max(retries, 0)
    return min(max(delay, retry_after or 0), PUSH_RETRY_MAX_SECONDS)
