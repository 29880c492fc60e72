"""A browser's push service on 127.0.0.1, for tests.

``PushEndpoint`` listens on a free port in a thread. ``endpoint.browser()``
makes a fake browser (its own P-256 key pair and auth secret) whose
subscription points at ``http://127.0.0.1:PORT/push/<token>``. Every POST is
checked as a real push service and browser together would: the body is
decrypted (RFC 8291, aes128gcm) with the browser's private key, and the VAPID
``Authorization: vapid t=<JWT>, k=<key>`` header is verified (ES256 signature
by ``k``, ``k`` equal to settings.VAPID_PUBLIC_KEY, ``aud`` the endpoint's
origin, ``exp`` in the future, ``sub`` equal to settings.VAPID_SUBJECT).

Each request is recorded in ``endpoint.received``; what failed a check goes to
``endpoint.errors`` (the handler then answers 400). The answer is 201 unless
``endpoint.answer(browser, 410, ...)`` queued other statuses for that browser.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.conf import settings


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class FakeBrowser:
    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def subscription(self) -> dict[str, Any]:
        """What ``PushSubscription.toJSON()`` gives in a browser."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth_secret)},
        }


@dataclass
class Received:
    token: str
    status: int
    headers: dict[str, str]
    payload: dict[str, Any] | None = None
    claims: dict[str, Any] | None = None
    vapid_key: str | None = None


@dataclass
class PushEndpoint:
    host: str = "127.0.0.1"
    received: list[Received] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._browsers: dict[str, FakeBrowser] = {}
        self._answers: dict[str, deque[int]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((self.host, 0), _handler_for(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.origin = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def browser(self) -> FakeBrowser:
        token = secrets.token_urlsafe(16)
        browser = FakeBrowser(
            token=token,
            endpoint=f"{self.origin}/push/{token}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth_secret=os.urandom(16),
        )
        with self._lock:
            self._browsers[token] = browser
        return browser

    def answer(self, browser: FakeBrowser, *statuses: int) -> None:
        """The next requests for ``browser`` get these statuses, in order; then 201."""
        with self._lock:
            self._answers[browser.token].extend(statuses)

    def received_by(self, browser: FakeBrowser) -> list[Received]:
        with self._lock:
            return [item for item in self.received if item.token == browser.token]

    # --- checks, run in the server thread ---------------------------------------

    def _next_status(self, token: str) -> int:
        with self._lock:
            queue = self._answers[token]
            return queue.popleft() if queue else 201

    def _verify_vapid(self, authorization: str) -> tuple[dict[str, Any], str]:
        scheme, _, rest = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise ValueError(f"Authorization scheme is {scheme!r}, not vapid")
        params = {}
        for part in rest.split(","):
            name, _, value = part.strip().partition("=")
            params[name] = value
        token, key = params.get("t"), params.get("k")
        if not token or not key:
            raise ValueError(f"Authorization lacks t= or k=: {authorization!r}")
        if key != settings.VAPID_PUBLIC_KEY:
            raise ValueError("k is not settings.VAPID_PUBLIC_KEY")
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(b64url_decode(header_b64))
        if header.get("alg") != "ES256":
            raise ValueError(f"JWT alg is {header.get('alg')!r}")
        signature = b64url_decode(signature_b64)
        if len(signature) != 64:
            raise ValueError("ES256 signature is not 64 bytes")
        public_key = ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), b64url_decode(key)
        )
        try:
            public_key.verify(
                encode_dss_signature(
                    int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
                ),
                f"{header_b64}.{claims_b64}".encode("ascii"),
                ec.ECDSA(hashes.SHA256()),
            )
        except InvalidSignature:
            raise ValueError("VAPID JWT signature does not verify with k") from None
        claims = json.loads(b64url_decode(claims_b64))
        if claims.get("aud") != self.origin:
            raise ValueError(f"aud is {claims.get('aud')!r}, not {self.origin!r}")
        now = time.time()
        if not now < int(claims.get("exp", 0)) <= now + 24 * 60 * 60:
            raise ValueError(f"exp {claims.get('exp')!r} is not within the next 24 hours")
        if claims.get("sub") != settings.VAPID_SUBJECT:
            raise ValueError(f"sub is {claims.get('sub')!r}, not {settings.VAPID_SUBJECT!r}")
        return claims, key

    def _handle(self, path: str, headers: dict[str, str], body: bytes) -> int:
        token = path.removeprefix("/push/")
        with self._lock:
            browser = self._browsers.get(token)
        if not path.startswith("/push/") or browser is None:
            self.errors.append(f"unknown push path {path}")
            return 404
        status = self._next_status(token)
        record = Received(token=token, status=status, headers=headers)
        try:
            if headers.get("content-encoding") != "aes128gcm":
                raise ValueError(f"Content-Encoding is {headers.get('content-encoding')!r}")
            if not headers.get("ttl", "").isdigit():
                raise ValueError("TTL header missing")
            record.claims, record.vapid_key = self._verify_vapid(headers.get("authorization", ""))
            plaintext = http_ece.decrypt(
                body,
                private_key=browser.private_key,
                auth_secret=browser.auth_secret,
                version="aes128gcm",
            )
            record.payload = json.loads(plaintext)
        except Exception as error:  # noqa: BLE001 - every failure is a test failure
            self.errors.append(f"{type(error).__name__}: {error}")
            record.status = 400
        with self._lock:
            self.received.append(record)
        return record.status


def _handler_for(endpoint: PushEndpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            status = endpoint._handle(self.path, headers, body)
            reply = b"" if status < 300 else b'{"reason": "test answer"}'
            self.send_response(status)
            if status == 201:
                self.send_header("Location", f"{endpoint.origin}/message/{secrets.token_hex(4)}")
            elif 300 <= status < 400:
                # A redirect to another "browser": the sender must not follow it.
                self.send_header("Location", f"{endpoint.origin}/elsewhere")
            elif status == 429:
                self.send_header("Retry-After", "120")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # keep test output quiet

    return Handler


# --- Fixtures (import them by their function name; tests ask for the fixture name) ---


@pytest.fixture(name="vapid")
def vapid_fixture(settings) -> dict[str, str]:
    """A fresh VAPID pair in settings, loopback endpoints allowed, an https site URL."""
    from notifications.push_keys import vapid_keys_generate

    public, private = vapid_keys_generate()
    settings.VAPID_PUBLIC_KEY = public
    settings.VAPID_PRIVATE_KEY = private
    settings.VAPID_SUBJECT = "mailto:push-test@sqeeze.test"
    settings.WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS = True
    settings.SITE_URL = "https://sqeeze.example"
    return {"public": public, "private": private}


@pytest.fixture(name="push_service")
def push_service_fixture():
    endpoint = PushEndpoint()
    yield endpoint
    endpoint.close()
