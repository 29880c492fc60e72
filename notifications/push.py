"""Web push: browser subscriptions, VAPID keys and delivery to push services.

A browser that allows notifications gives us a *subscription*: the URL of its
push service (``endpoint``) and the keys to encrypt for it (``p256dh``,
``auth``). We store it per person; for each notification that wants push, the
``notifications.send_push`` task encrypts a small JSON payload (RFC 8291),
signs a VAPID token (RFC 8292) and POSTs it to every subscribed browser.

Keys (``manage.py vapid_keys`` prints a pair):

- ``VAPID_PUBLIC_KEY``: the uncompressed P-256 public point (65 bytes),
  base64url without padding: what ``pushManager.subscribe`` wants as
  ``applicationServerKey``.
- ``VAPID_PRIVATE_KEY``: the raw 32-byte private number, base64url without
  padding (the form ``py_vapid.Vapid.from_raw`` reads).

The endpoint is a URL a browser sent us, and the worker POSTs to it: the
SSRF guard. It must be ``https`` to a public host name or public IP address,
and the host is checked by address, not only by spelling: it is resolved and
refused unless every address is globally routable, when the browser
subscribes (``push_endpoint_check``) and again at every delivery, because a
name's answer can change in between. The delivery then connects to the very
address it checked, with no second lookup, and never follows a redirect
(``notifications.push_network``). ``WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS`` (tests
only) lets loopback addresses through, over ``http`` too, and nothing else.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from py_vapid import Vapid

from accounts.models import Profile
from core.db import DatabaseNow
from core.links import absolute_url
from core.text import printable_line
from notifications.models import Notification, Subscription
from notifications.push_network import (
    DEFAULT_PORTS,
    AddressRefused,
    HostNotFound,
    PinnedHost,
    address_is_allowed,
    ip_literal,
    pinned_session,
    resolve_checked,
)
from notifications.types import NOTIFICATION_TYPES

logger = logging.getLogger(__name__)

SUBSCRIPTION_MAX_BYTES = 4096  # a browser's subscription JSON is a few hundred bytes
ENDPOINT_MAX_LENGTH = 2048
USER_AGENT_MAX_LENGTH = 255
PUSH_TTL_SECONDS = 24 * 60 * 60  # a push service keeps the message a day for offline browsers
PUSH_TIMEOUT_SECONDS = 10
PUSH_MAX_RETRIES = 5
PUSH_RETRY_BASE_SECONDS = 30
PUSH_RETRY_MAX_SECONDS = 60 * 60
PUSH_BODY_MAX_LENGTH = 1000  # the encrypted payload must stay under 4 KB
PUSH_ICON = "icons/sqeeze-192.png"  # PNG: not every browser draws SVG in a notification

_B64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
# Names that never denote a public push service; refused like private addresses.
_INTERNAL_SUFFIXES = (
    ".localhost",
    ".local",
    ".localdomain",
    ".internal",
    ".intranet",
    ".lan",
    ".home",
    ".corp",
    ".home.arpa",
    ".test",
    ".invalid",
    ".example",
)


# --- Keys ------------------------------------------------------------------------


def push_is_configured() -> bool:
    """Push is on when both VAPID keys are set."""
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    """Strict base64url (the browser's alphabet, padding optional)."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text):
        raise ValueError("not base64url")
    stripped = text.rstrip("=")
    try:
        return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError("not base64url") from error


def vapid_keys_generate() -> tuple[str, str]:
    """A new VAPID pair as (public, private), in the forms the settings expect."""
    private_key = ec.generate_private_key(ec.SECP256R1())
    public = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    private = private_key.private_numbers().private_value.to_bytes(32, "big")
    return _b64url_encode(public), _b64url_encode(private)


def vapid_signer() -> Vapid:
    """The VAPID signer for ``settings.VAPID_PRIVATE_KEY``, checked against the public key."""
    try:
        raw = _b64url_decode(settings.VAPID_PRIVATE_KEY.strip())
        if len(raw) != 32:
            raise ValueError("length")
        private_key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except ValueError:
        raise ImproperlyConfigured(
            "VAPID_PRIVATE_KEY must be the raw 32-byte P-256 private key, base64url "
            "without padding (run `manage.py vapid_keys`)."
        ) from None
    public = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    if _b64url_encode(public) != settings.VAPID_PUBLIC_KEY.strip().rstrip("="):
        raise ImproperlyConfigured(
            "VAPID_PUBLIC_KEY does not belong to VAPID_PRIVATE_KEY; browsers subscribed "
            "with the public key would refuse our messages."
        )
    return Vapid(private_key=private_key)


# --- Validating what a browser sends -------------------------------------------------


@dataclass(frozen=True)
class _Endpoint:
    """A push endpoint URL that passed the checks that need no network."""

    url: str
    scheme: str
    host: str
    port: int


_NOT_HTTPS = _("The endpoint must be an https URL.")
_PRIVATE_ADDRESS = _("The endpoint must not point at a private or local address.")
_HOST_NOT_FOUND = _("The endpoint's host name could not be found.")


def _endpoint_parse(endpoint: Any) -> _Endpoint:
    """The checks on the URL's text: ``https`` only, no user info, and the host
    a public IP address (in any spelling) or a dotted public-looking name; never
    ``localhost``, single-label names (``redis``, ``postgres`` on a compose
    network) or internal suffixes, which we refuse without asking DNS about
    them. With ``WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS`` (tests only), ``http`` or
    ``https`` to a loopback address or ``localhost`` is allowed too.
    """
    if not isinstance(endpoint, str) or not endpoint:
        raise ValidationError(_("The subscription has no endpoint URL."), code="endpoint")
    if len(endpoint) > ENDPOINT_MAX_LENGTH:
        raise ValidationError(_("The endpoint URL is too long."), code="endpoint")
    # Printable ASCII without backslashes: parsers disagree on anything else.
    if not re.fullmatch(r"[!-\[\]-~]+", endpoint):
        raise ValidationError(
            _("The endpoint URL contains characters a push service URL never has."),
            code="endpoint",
        )
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        raise ValidationError(_("The endpoint is not a valid URL."), code="endpoint") from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in DEFAULT_PORTS or not host:
        raise ValidationError(_NOT_HTTPS, code="endpoint")
    if parts.username is not None or parts.password is not None:
        raise ValidationError(
            _("The endpoint URL must not contain a user name or password."), code="endpoint"
        )
    allow_loopback = settings.WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS
    if scheme != "https" and not allow_loopback:
        raise ValidationError(_NOT_HTTPS, code="endpoint")
    parsed = _Endpoint(url=endpoint, scheme=scheme, host=host, port=port or DEFAULT_PORTS[scheme])
    address = ip_literal(host)
    if address is not None:
        if not address_is_allowed(address, allow_loopback=allow_loopback):
            raise ValidationError(_PRIVATE_ADDRESS, code="endpoint")
        if scheme != "https" and not address.is_loopback:
            raise ValidationError(_NOT_HTTPS, code="endpoint")
        return parsed
    labels = host.split(".")
    if host == "localhost" or host.endswith(".localhost"):
        if allow_loopback:
            return parsed  # what it resolves to is checked like any other name's answer
        internal = True
    else:
        internal = (
            len(labels) < 2
            or not all(_HOST_LABEL.fullmatch(label) for label in labels)
            or labels[-1].isdigit()
            or host.endswith(_INTERNAL_SUFFIXES)
        )
    if internal:
        raise ValidationError(
            _("The endpoint must be a public push service, not a local or internal host."),
            code="endpoint",
        )
    return parsed


def _endpoint_pin(endpoint: _Endpoint) -> PinnedHost:
    """Resolve the endpoint's host and pick the address to connect to.

    Every address the name has must be allowed, not just the first: the
    resolver's order is the name owner's to choose. Raises ``ValidationError``
    with code ``endpoint_dns`` when the name does not resolve (now), and
    ``endpoint_address`` when it resolves somewhere the worker must not go.
    """
    allow_loopback = settings.WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS
    try:
        addresses = resolve_checked(
            host=endpoint.host, port=endpoint.port, allow_loopback=allow_loopback
        )
    except HostNotFound:
        raise ValidationError(_HOST_NOT_FOUND, code="endpoint_dns") from None
    except AddressRefused:
        raise ValidationError(_PRIVATE_ADDRESS, code="endpoint_address") from None
    if endpoint.scheme != "https" and not all(address.is_loopback for address in addresses):
        # Plain http only ever reaches the test push server on this machine.
        raise ValidationError(_NOT_HTTPS, code="endpoint_address")
    return PinnedHost(
        scheme=endpoint.scheme, host=endpoint.host, port=endpoint.port, address=addresses[0]
    )


def push_endpoint_check(endpoint: Any) -> str:
    """Refuse a push endpoint the worker must not POST to; returns it unchanged.

    The SSRF guard at subscription: the URL's text (``_endpoint_parse``), then
    the addresses its host resolves to, every one of which must be globally
    routable (``_endpoint_pin``). Delivery repeats the second part, and connects
    to the address it checked then.
    """
    parsed = _endpoint_parse(endpoint)
    _endpoint_pin(parsed)
    return parsed.url


def _subscription_parse(
    subscription_json: str | bytes | Mapping[str, Any],
) -> tuple[dict[str, Any], _Endpoint]:
    """Everything ``push_subscription_clean`` checks except the DNS lookup, which
    comes last (and which delivery does its own way): the normalised subscription
    and its parsed endpoint."""
    if isinstance(subscription_json, bytes | str):
        raw = (
            subscription_json
            if isinstance(subscription_json, bytes)
            else subscription_json.encode("utf-8", "surrogatepass")
        )
        if len(raw) > SUBSCRIPTION_MAX_BYTES:
            raise ValidationError(
                _("The subscription is too large (at most %(limit)d bytes)."),
                code="too_large",
                params={"limit": SUBSCRIPTION_MAX_BYTES},
            )
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            raise ValidationError(_("The subscription is not valid JSON."), code="json") from None
    else:
        data = subscription_json
    if not isinstance(data, Mapping):
        raise ValidationError(_("The subscription must be a JSON object."), code="json")

    endpoint = _endpoint_parse(data.get("endpoint"))

    expiration = data.get("expirationTime")
    if expiration is not None and (
        isinstance(expiration, bool) or not isinstance(expiration, int | float) or expiration < 0
    ):
        raise ValidationError(
            _("The subscription's expirationTime must be a number or null."), code="expiration"
        )

    keys = data.get("keys")
    if not isinstance(keys, Mapping):
        raise ValidationError(_("The subscription has no keys."), code="keys")
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not isinstance(p256dh, str) or not p256dh:
        raise ValidationError(_("The subscription has no p256dh key."), code="p256dh")
    if not isinstance(auth, str) or not auth:
        raise ValidationError(_("The subscription has no auth secret."), code="auth")
    try:
        point = _b64url_decode(p256dh)
    except ValueError:
        raise ValidationError(_("The p256dh key is not base64url."), code="p256dh") from None
    if len(point) != 65 or point[0] != 4:
        raise ValidationError(
            _("The p256dh key must be an uncompressed P-256 point (65 bytes)."), code="p256dh"
        )
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise ValidationError(
            _("The p256dh key is not a point on the P-256 curve."), code="p256dh"
        ) from None
    try:
        secret = _b64url_decode(auth)
    except ValueError:
        raise ValidationError(_("The auth secret is not base64url."), code="auth") from None
    if len(secret) != 16:
        raise ValidationError(_("The auth secret must be 16 bytes."), code="auth")

    clean = {
        "endpoint": endpoint.url,
        "expirationTime": expiration,
        "keys": {"p256dh": _b64url_encode(point), "auth": _b64url_encode(secret)},
    }
    return clean, endpoint


def push_subscription_clean(subscription_json: str | bytes | Mapping[str, Any]) -> dict[str, Any]:
    """Validate a browser's ``PushSubscription.toJSON()`` and return it normalised:
    ``{"endpoint", "expirationTime", "keys": {"p256dh", "auth"}}``. Raises
    ``ValidationError`` with a message a person can act on. The endpoint's host
    is resolved (last, once the rest is known to be sound) and must lead only
    to public addresses."""
    clean, endpoint = _subscription_parse(subscription_json)
    _endpoint_pin(endpoint)
    return clean


# --- Writes -----------------------------------------------------------------------


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
    with transaction.atomic():
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


def push_queue(notification: Notification) -> None:
    """Schedule push delivery of ``notification`` after the caller's transaction
    commits, when push is configured and the receiver has a subscribed browser."""
    if not push_is_configured():
        return
    if not Subscription.objects.filter(user_id=notification.receiver_id).exists():
        return
    from notifications.push_tasks import send_push

    send_push.delay_on_commit(str(notification.pk))


# --- Delivery ---------------------------------------------------------------------


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
    """The JSON the service worker shows: title, body, url (absolute), icon, tag."""
    from notifications.services import language_of

    kind = NOTIFICATION_TYPES.get(notification.type)
    with translation.override(language_of(notification.receiver)):
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
        info, endpoint = _subscription_parse(subscription.notification_json)
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
        pin = _endpoint_pin(endpoint)
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


# --- The settings page control --------------------------------------------------------

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
