"""What a browser sends us for web push, checked: its subscription and the
endpoint URL in it.

A browser that allows notifications gives us a *subscription*: the URL of its
push service (``endpoint``) and the keys to encrypt for it (``p256dh``,
``auth``). Everything in it came from a stranger, and the worker POSTs to the
endpoint: this is the SSRF guard. The endpoint must be ``https`` to a public
host name or public IP address, and the host is checked by address, not only
by spelling: it is resolved and refused unless every address is globally
routable, when the browser subscribes (``push_endpoint_check``,
``push_subscription_clean``) and again at every delivery (``endpoint_pin``),
because a name's answer can change in between. The delivery then connects to
the very address it checked, with no second lookup, and never follows a
redirect (``notifications.push_network``). ``WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS``
(tests only) lets loopback addresses through, over ``http`` too, and nothing
else.

Why a module of its own: ``push_network`` stays free of Django and of
subscriptions (addresses and connections only); this one turns its answers
into ``ValidationError``s a person can read, with the codes delivery tells
apart. Both storing a subscription (``push_services``) and delivering to one
(``push_delivery``) read subscriptions through here, so neither has to import
the other.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from notifications.push_keys import b64url_decode, b64url_encode
from notifications.push_network import (
    DEFAULT_PORTS,
    AddressRefused,
    HostNotFound,
    PinnedHost,
    address_is_allowed,
    ip_literal,
    resolve_checked,
)

SUBSCRIPTION_MAX_BYTES = 4096  # a browser's subscription JSON is a few hundred bytes
ENDPOINT_MAX_LENGTH = 2048

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

_NOT_HTTPS = _("The endpoint must be an https URL.")
_PRIVATE_ADDRESS = _("The endpoint must not point at a private or local address.")
_HOST_NOT_FOUND = _("The endpoint's host name could not be found.")


# --- The endpoint URL ----------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """A push endpoint URL that passed the checks that need no network."""

    url: str
    scheme: str
    host: str
    port: int


def endpoint_parse(endpoint: Any) -> Endpoint:
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
    parsed = Endpoint(url=endpoint, scheme=scheme, host=host, port=port or DEFAULT_PORTS[scheme])
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


def endpoint_pin(endpoint: Endpoint) -> PinnedHost:
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

    The SSRF guard at subscription: the URL's text (``endpoint_parse``), then
    the addresses its host resolves to, every one of which must be globally
    routable (``endpoint_pin``). Delivery repeats the second part, and connects
    to the address it checked then.
    """
    parsed = endpoint_parse(endpoint)
    endpoint_pin(parsed)
    return parsed.url


# --- The whole subscription ------------------------------------------------------------


def subscription_parse(
    subscription_json: str | bytes | Mapping[str, Any],
) -> tuple[dict[str, Any], Endpoint]:
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

    endpoint = endpoint_parse(data.get("endpoint"))

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
        point = b64url_decode(p256dh)
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
        secret = b64url_decode(auth)
    except ValueError:
        raise ValidationError(_("The auth secret is not base64url."), code="auth") from None
    if len(secret) != 16:
        raise ValidationError(_("The auth secret must be 16 bytes."), code="auth")

    clean = {
        "endpoint": endpoint.url,
        "expirationTime": expiration,
        "keys": {"p256dh": b64url_encode(point), "auth": b64url_encode(secret)},
    }
    return clean, endpoint


def push_subscription_clean(subscription_json: str | bytes | Mapping[str, Any]) -> dict[str, Any]:
    """Validate a browser's ``PushSubscription.toJSON()`` and return it normalised:
    ``{"endpoint", "expirationTime", "keys": {"p256dh", "auth"}}``. Raises
    ``ValidationError`` with a message a person can act on. The endpoint's host
    is resolved (last, once the rest is known to be sound) and must lead only
    to public addresses."""
    clean, endpoint = subscription_parse(subscription_json)
    endpoint_pin(endpoint)
    return clean
