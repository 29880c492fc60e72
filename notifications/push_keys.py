"""Web push's VAPID keys: making a pair, loading and checking the configured
pair, and the base64url spelling every push key travels in.

The bottom of the push modules: it knows settings and cryptography, nothing
about subscriptions, endpoints or delivery, so the ``vapid_keys`` command, the
settings-page control and the worker can all ask "is push on?" and load the
signer without pulling in the rest.

Keys (``manage.py vapid_keys`` prints a pair):

- ``VAPID_PUBLIC_KEY``: the uncompressed P-256 public point (65 bytes),
  base64url without padding: what ``pushManager.subscribe`` wants as
  ``applicationServerKey``.
- ``VAPID_PRIVATE_KEY``: the raw 32-byte private number, base64url without
  padding (the form ``py_vapid.Vapid.from_raw`` reads).
"""

from __future__ import annotations

import base64
import binascii
import re

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid

_B64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")


def push_is_configured() -> bool:
    """Push is on when both VAPID keys are set."""
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


def b64url_encode(data: bytes) -> str:
    """base64url without padding, as browsers and the VAPID settings spell keys."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict base64url (the browser's alphabet, padding optional); ``ValueError``
    for anything else."""
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
    return b64url_encode(public), b64url_encode(private)


def vapid_signer() -> Vapid:
    """The VAPID signer for ``settings.VAPID_PRIVATE_KEY``, checked against the public key."""
    try:
        raw = b64url_decode(settings.VAPID_PRIVATE_KEY.strip())
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
    if b64url_encode(public) != settings.VAPID_PUBLIC_KEY.strip().rstrip("="):
        raise ImproperlyConfigured(
            "VAPID_PUBLIC_KEY does not belong to VAPID_PRIVATE_KEY; browsers subscribed "
            "with the public key would refuse our messages."
        )
    return Vapid(private_key=private_key)
