"""Threat: server-side request forgery (SSRF) through web push endpoints.

A push subscription's endpoint is a URL any signed-in person can send us, and
the push worker POSTs to it. Without checks that POST could reach the
machine itself, the private network (Redis, PostgreSQL, admin panels) or the
cloud metadata service at 169.254.169.254. These tests attack the guard the
way an attacker would:

- a public-looking name whose DNS answer is a private address, or a mix of
  public and private addresses, or an IPv6 form that wraps a private IPv4
  address (IPv4-mapped, NAT64, 6to4, Teredo);
- IP literals in the spellings resolvers accept but naive checks miss;
- DNS rebinding: a name that answers a public address at subscription and a
  private one at delivery, or a different one between check and connect;
- redirects from the endpoint to another address.

The resolver is replaced at the socket edge (``socket.getaddrinfo``, what the
code and urllib3 really call), never by stubbing the check, and connections
are observed on real listening sockets and at ``socket.socket.connect``.
Every test names the OWASP ASVS 5.0 requirement it covers.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import os
import socket
import ssl
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.urls import reverse

from notifications.models import Subscription
from notifications.push_delivery import PushOutcome, push_deliver
from notifications.push_network import PinnedHost, address_is_public, pinned_session
from notifications.push_services import push_subscription_save
from tests.factories import NotificationFactory
from tests.notifications.push_endpoint import (  # noqa: F401 - fixtures
    push_service_fixture,
    vapid_fixture,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SUBSCRIBE = reverse("notifications:push_subscribe")
NAME = "push.example.com"
PRIVATE = "The endpoint must not point at a private or local address."
NOT_FOUND = "The endpoint's host name could not be found."


# --- The attacker's tools: a resolver, listeners, a connection log ---------------------


class Resolver:
    """``socket.getaddrinfo`` answering what each test sets for a name.

    ``answer(name, first, second, ...)``: successive lookups get these address
    lists in turn (the last repeats); ``None`` means "does not resolve". IP
    literals (urllib3 passes the pinned address) go to the real function;
    any other name does not resolve, as on a closed network.
    """

    def __init__(self, real) -> None:
        self._real = real
        self._answers: dict[str, deque[list[str] | None]] = {}
        self.lookups: list[str] = []

    def answer(self, host: str, *answers: list[str] | None) -> None:
        self._answers[host] = deque(answers)

    def count(self, host: str) -> int:
        return self.lookups.count(host)

    def __call__(self, host, port, *args, **kwargs):
        self.lookups.append(host)
        queue = self._answers.get(host)
        if queue is None:
            try:
                ipaddress.ip_address(host)
            except ValueError:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
            return self._real(host, port, *args, **kwargs)
        addresses = queue.popleft() if len(queue) > 1 else queue[0]
        if addresses is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (a, port, 0, 0))
            if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (a, port))
            for a in addresses
        ]


@pytest.fixture
def dns(monkeypatch) -> Resolver:
    resolver = Resolver(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    return resolver


@pytest.fixture
def connections(monkeypatch) -> list[tuple[str, int]]:
    """Every (host, port) a socket in this process connects to during the test."""
    made: list[tuple[str, int]] = []
    real = socket.socket.connect

    def connect(self, address):
        made.append(tuple(address[:2]))
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return made


class Listener:
    """A TCP port that accepts and records connections, and says nothing."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.bind((host, port))
        self._socket.listen()
        self._socket.settimeout(0.1)
        self.port = self._socket.getsockname()[1]
        self.accepted: list[Any] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                connection, peer = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(peer)
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()


class WebServer:
    """A local HTTP(S) server that records every request and answers ``status``
    (with ``location`` as the Location header, for redirects)."""

    def __init__(
        self, status: int = 201, location: str | None = None, tls: ssl.SSLContext | None = None
    ) -> None:
        self.requests: list[dict[str, Any]] = []
        self.server_names: list[str | None] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.requests.append(
                    {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}}
                )
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if tls is not None:
            tls.sni_callback = lambda _sock, name, _context: server.server_names.append(name)
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def production_rules(settings):
    """As in production: no loopback exception (tests that need it turn it on)."""
    settings.WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS = False


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def subscription_for(endpoint: str) -> dict[str, Any]:
    """What a browser's ``PushSubscription.toJSON()`` gives, for ``endpoint``."""
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": b64url(point), "auth": b64url(os.urandom(16))},
    }


def subscribe(client, endpoint: str):
    return client.post(
        SUBSCRIBE, data=json.dumps(subscription_for(endpoint)), content_type="application/json"
    )


@pytest.fixture
def student_client(client, student):
    client.force_login(student)
    return client


# --- At subscription: the name is checked by what it resolves to ----------------------

NON_PUBLIC_ANSWERS = {
    "loopback": ["127.0.0.1"],
    "loopback elsewhere in 127/8": ["127.53.0.1"],
    "private 10/8": ["10.0.0.1"],
    "private 172.16/12": ["172.16.0.1"],
    "private 192.168/16": ["192.168.1.1"],
    "cloud metadata (link-local)": ["169.254.169.254"],
    "carrier-grade NAT": ["100.64.0.1"],
    "unspecified": ["0.0.0.0"],
    "this network": ["0.1.2.3"],
    "broadcast": ["255.255.255.255"],
    "reserved": ["240.0.0.1"],
    "multicast": ["224.0.0.1"],
    "documentation": ["192.0.2.10"],
    "benchmarking": ["198.18.0.1"],
    "ipv6 loopback": ["::1"],
    "ipv6 unspecified": ["::"],
    "ipv6 unique local": ["fd00::1"],
    "ipv6 link-local": ["fe80::1"],
    "ipv6 site-local": ["fec0::1"],
    "ipv6 multicast": ["ff02::1"],
    "ipv6 documentation": ["2001:db8::1"],
    "ipv4-mapped private": ["::ffff:10.0.0.1"],
    "ipv4-mapped metadata": ["::ffff:169.254.169.254"],
    "ipv4-compatible loopback": ["::127.0.0.1"],
    "nat64 of private": ["64:ff9b::a00:1"],
    "nat64 of loopback": ["64:ff9b::7f00:1"],
    "local-use nat64": ["64:ff9b:1::a00:1"],
    "6to4 of private": ["2002:a00:1::1"],
    "6to4 of metadata": ["2002:a9fe:a9fe::1"],
    "teredo": ["2001:0:4136:e378:8000:63bf:3fff:fdd2"],
}


@pytest.mark.usefixtures("production_rules")
@pytest.mark.parametrize("answer", NON_PUBLIC_ANSWERS.values(), ids=NON_PUBLIC_ANSWERS)
def test_a_public_looking_name_resolving_to_a_non_public_address_is_refused(
    student_client, dns, answer
):
    """ASVS 5.0 V1.3.6 (SSRF: untrusted URLs are validated against an allowlist of
    destinations) and V13.2.4 (outbound requests only to allowed resources): the
    host name's DNS answer, not its spelling, decides."""
    dns.answer(NAME, answer)

    response = subscribe(student_client, f"https://{NAME}/push/abc")

    assert response.status_code == 400
    assert response.json()["error"] == PRIVATE
    assert dns.count(NAME) == 1  # the real resolver entry point was asked
    assert not Subscription.objects.exists()


MIXED_ANSWERS = {
    "public then private": ["8.8.8.8", "10.0.0.1"],
    "private then public": ["127.0.0.1", "8.8.8.8"],
    "public v4, private v6": ["8.8.8.8", "fd00::1"],
    "public v6, metadata via mapped": ["2001:4860:4860::8888", "::ffff:169.254.169.254"],
}


@pytest.mark.usefixtures("production_rules")
@pytest.mark.parametrize("answer", MIXED_ANSWERS.values(), ids=MIXED_ANSWERS)
def test_one_non_public_address_among_public_ones_is_enough_to_refuse(student_client, dns, answer):
    """ASVS 5.0 V1.3.6 (SSRF allowlist): every address a name has must be allowed,
    since its owner decides which one a connection would use."""
    dns.answer(NAME, answer)

    response = subscribe(student_client, f"https://{NAME}/push/abc")

    assert response.status_code == 400
    assert response.json()["error"] == PRIVATE
    assert not Subscription.objects.exists()


@pytest.mark.usefixtures("production_rules")
def test_a_name_that_does_not_resolve_is_refused_with_a_clear_message(student_client, dns):
    """ASVS 5.0 V1.3.6 (SSRF allowlist): a destination we cannot check is not
    allowed, and the person is told why."""
    dns.answer(NAME, None)

    response = subscribe(student_client, f"https://{NAME}/push/abc")

    assert response.status_code == 400
    assert response.json()["error"] == NOT_FOUND
    assert not Subscription.objects.exists()


PUBLIC_ANSWERS = {
    "ipv4": ["8.8.8.8"],
    "ipv4 and ipv6": ["142.250.196.106", "2607:f8b0:4004:c07::5f"],
    "nat64 of a public address (dns64 network)": ["64:ff9b::808:808"],
    "6to4 of a public address": ["2002:808:808::1"],
}


@pytest.mark.usefixtures("production_rules")
@pytest.mark.parametrize("answer", PUBLIC_ANSWERS.values(), ids=PUBLIC_ANSWERS)
def test_a_name_resolving_only_to_public_addresses_is_accepted(student_client, dns, answer):
    """ASVS 5.0 V1.3.6 (SSRF allowlist): the allowlist is "globally routable",
    so real push services, IPv6-only DNS64 workers included, keep working."""
    dns.answer(NAME, answer)

    response = subscribe(student_client, f"https://{NAME}/push/abc")

    assert response.status_code == 200, response.content
    assert Subscription.objects.get().endpoint == f"https://{NAME}/push/abc"


NUMERIC_HOSTS = {
    "loopback short form": "127.1",
    "loopback as one number": "2130706433",
    "loopback in hex": "0x7f.0.0.1",
    "loopback as one hex number": "0x7f000001",
    "loopback in octal": "0177.0.0.1",
    "private short form": "10.1",
    "private as one number": "167772161",
    "metadata in hex": "0xa9.0xfe.0xa9.0xfe",
    "metadata as a.b.c": "169.254.43518",
    "carrier-grade nat": "100.64.0.1",
    "zero": "0",
    "ipv6 loopback": "[::1]",
    "ipv6 unspecified": "[::]",
    "mapped loopback": "[::ffff:127.0.0.1]",
    "mapped loopback in hex": "[::ffff:7f00:1]",
    "mapped metadata": "[::ffff:a9fe:a9fe]",
    "compatible loopback": "[::127.0.0.1]",
    "nat64 metadata": "[64:ff9b::a9fe:a9fe]",
    "nat64 loopback, dotted": "[64:ff9b::127.0.0.1]",
    "6to4 private": "[2002:a00:1::1]",
    "unique local": "[fd00::1]",
    "link-local with zone": "[fe80::1%25eth0]",
}


@pytest.mark.usefixtures("production_rules")
@pytest.mark.parametrize("host", NUMERIC_HOSTS.values(), ids=NUMERIC_HOSTS)
def test_numeric_hosts_are_checked_in_every_spelling(student_client, dns, host):
    """ASVS 5.0 V1.3.6 (SSRF allowlist) and V1.5.3 (URL parsers agree): an
    address in any spelling the resolver would accept is read as that address
    and refused, without a DNS lookup that could be answered differently."""
    response = subscribe(student_client, f"https://{host}/push/abc")

    assert response.status_code == 400
    assert "endpoint" in response.json()["error"].lower()
    assert dns.lookups == []
    assert not Subscription.objects.exists()


@pytest.mark.usefixtures("production_rules")
@pytest.mark.parametrize("host", ["8.8.8.8", "134744072", "[2001:4860:4860::8888]"])
def test_public_numeric_hosts_are_accepted_without_a_lookup(student_client, dns, host):
    """ASVS 5.0 V1.3.6 (SSRF allowlist): the refusals above are about where an
    address leads, not about numbers as such."""
    response = subscribe(student_client, f"https://{host}/push/abc")

    assert response.status_code == 200, response.content
    assert dns.lookups == []


ADDRESSES = {
    # refused
    "127.0.0.1": False,
    "10.255.255.255": False,
    "172.31.0.1": False,
    "192.168.0.1": False,
    "169.254.169.254": False,
    "100.127.255.254": False,
    "0.0.0.0": False,
    "255.255.255.255": False,
    "224.0.0.251": False,
    "239.255.255.250": False,
    "240.0.0.1": False,
    "192.0.0.8": False,
    "192.0.2.1": False,
    "198.51.100.1": False,
    "203.0.113.1": False,
    "198.19.0.1": False,
    "::": False,
    "::1": False,
    "fc00::1": False,
    "fd12:3456::1": False,
    "fe80::1": False,
    "fec0::1": False,
    "ff05::2": False,
    "2001:db8::1": False,
    "3fff::1": False,
    "100::1": False,
    "::ffff:127.0.0.1": False,
    "::ffff:10.0.0.1": False,
    "::10.0.0.1": False,
    "::8.8.8.8": False,
    "64:ff9b::10.0.0.1": False,
    "64:ff9b::169.254.169.254": False,
    "64:ff9b:1::808:808": False,
    "2002:c0a8:101::1": False,
    "2001:0:4136:e378:8000:63bf:3fff:fdd2": False,
    # allowed
    "8.8.8.8": True,
    "1.1.1.1": True,
    "100.128.0.1": True,
    "2001:4860:4860::8888": True,
    "2606:4700:4700::1111": True,
    "::ffff:8.8.8.8": True,
    "64:ff9b::8.8.8.8": True,
    "2002:808:808::1": True,
}


@pytest.mark.parametrize(("address", "public"), ADDRESSES.items(), ids=ADDRESSES)
def test_address_classification(address, public):
    """ASVS 5.0 V1.3.6 (SSRF allowlist): the allowlist itself, address by address,
    with embedded IPv4 addresses unwrapped and checked too."""
    assert address_is_public(ipaddress.ip_address(address)) is public


@pytest.mark.usefixtures("production_rules")
def test_the_loopback_test_setting_loosens_loopback_and_nothing_else(student_client, dns, settings):
    """ASVS 5.0 V1.3.6 (SSRF allowlist) and V12.3.1 (TLS for outbound connections):
    the test-only exception admits loopback, over http too, and nothing else."""
    dns.answer("loop.example.com", ["127.0.0.1", "::1"])
    dns.answer("private.example.com", ["10.0.0.1"])
    dns.answer("metadata.example.com", ["169.254.169.254"])
    dns.answer("public.example.com", ["8.8.8.8"])
    loopback_name = "http://loop.example.com:8999/push/abc"
    assert subscribe(student_client, loopback_name).status_code == 400

    settings.WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS = True

    assert subscribe(student_client, loopback_name).status_code == 200
    for refused in (
        "https://private.example.com/push/abc",
        "http://private.example.com/push/abc",
        "https://metadata.example.com/push/abc",
        "http://public.example.com/push/abc",  # plain http only ever to loopback
        "https://10.0.0.5/push/abc",
        "https://[fd00::1]/push/abc",
        "https://[64:ff9b::7f00:1]/push/abc",  # loopback behind NAT64 is not loopback here
    ):
        assert subscribe(student_client, refused).status_code == 400, refused
    assert list(Subscription.objects.values_list("endpoint", flat=True)) == [loopback_name]


# --- At delivery: checked again, then connected to exactly what was checked ---------------


@pytest.fixture
def rebinding_target(request):
    listener = Listener(request.param)
    yield listener
    listener.close()


@pytest.mark.parametrize("rebinding_target", ["127.0.0.1", "::1"], indirect=True)
def test_a_name_whose_answer_changed_since_subscription_is_refused_at_delivery(
    vapid, student, dns, connections, settings, rebinding_target
):
    """ASVS 5.0 V1.3.6 (SSRF allowlist), against DNS rebinding: the worker checks
    the name again before each delivery and makes no connection to a private
    answer (a real listener on that address records none)."""
    settings.WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS = False
    port = rebinding_target.port
    endpoint = f"https://{NAME}:{port}/push/abc"
    dns.answer(NAME, ["8.8.8.8"])
    subscription = push_subscription_save(
        user=student, subscription_json=subscription_for(endpoint), user_agent=""
    )
    dns.answer(NAME, [rebinding_target.host])
    notification = NotificationFactory(receiver=student)

    result = push_deliver(subscription_id=subscription.pk, notification_id=notification.pk)

    assert result.outcome is PushOutcome.DROPPED
    assert rebinding_target.accepted == []
    assert [target for target in connections if target[1] == port] == []
    assert dns.count(NAME) == 2  # once at subscription, once at delivery
    assert Subscription.objects.filter(pk=subscription.pk).exists()


@pytest.mark.parametrize("answer", [["169.254.169.254"], ["10.0.0.1"], ["8.8.8.8", "fd00::1"]])
def test_delivery_makes_no_connection_when_the_name_now_leads_inside(
    vapid, student, dns, connections, settings, answer
):
    """ASVS 5.0 V1.3.6 (SSRF allowlist): the metadata service and private
    networks are never dialled, whatever the name says at delivery time."""
    settings.WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS = False
    dns.answer(NAME, ["8.8.8.8"])
    subscription = push_subscription_save(
        user=student, subscription_json=subscription_for(f"https://{NAME}/p"), user_agent=""
    )
    dns.answer(NAME, answer)
    notification = NotificationFactory(receiver=student)

    result = push_deliver(subscription_id=subscription.pk, notification_id=notification.pk)

    assert result.outcome is PushOutcome.DROPPED
    assert [target for target in connections if target[1] == 443] == []


def test_a_name_that_stops_resolving_means_retry_later(vapid, student, dns, connections, settings):
    """ASVS 5.0 V1.3.6 (SSRF allowlist): no answer is no permission to connect;
    the delivery is retried later and the browser kept."""
    settings.WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS = False
    dns.answer(NAME, ["8.8.8.8"])
    subscription = push_subscription_save(
        user=student, subscription_json=subscription_for(f"https://{NAME}/p"), user_agent=""
    )
    dns.answer(NAME, None)
    notification = NotificationFactory(receiver=student)

    result = push_deliver(subscription_id=subscription.pk, notification_id=notification.pk)

    assert result.outcome is PushOutcome.RETRY
    assert [target for target in connections if target[1] == 443] == []
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_delivery_connects_to_the_checked_address_without_a_second_lookup(
    vapid, push_service, student, dns, connections
):
    """ASVS 5.0 V1.3.6 (SSRF allowlist), against DNS rebinding between check and
    connect: delivery resolves the name once and dials that address, even when
    the next answer would differ; the push service still sees its own host name.

    The second answer, 127.0.0.2, has a listener on the same port: a client that
    looked the name up again would reach it instead of the push service.
    """
    port = push_service.port
    push_service.origin = f"http://{NAME}:{port}"  # the push service's name, as in VAPID aud
    browser = push_service.browser()
    dns.answer(NAME, ["127.0.0.1"])
    subscription = push_subscription_save(
        user=student, subscription_json=browser.subscription, user_agent=""
    )
    decoy = Listener("127.0.0.2", port)
    try:
        dns.answer(NAME, ["127.0.0.1"], ["127.0.0.2"])
        lookups_before = dns.count(NAME)
        connections.clear()
        notification = NotificationFactory(receiver=student)

        result = push_deliver(subscription_id=subscription.pk, notification_id=notification.pk)
    finally:
        decoy.close()

    assert result.outcome is PushOutcome.SENT
    assert dns.count(NAME) - lookups_before == 1
    assert [target for target in connections if target[1] == port] == [("127.0.0.1", port)]
    assert decoy.accepted == []
    assert push_service.errors == []
    [message] = push_service.received_by(browser)
    assert message.headers["host"] == f"{NAME}:{port}"
    assert message.claims["aud"] == f"http://{NAME}:{port}"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_from_the_endpoint_is_not_followed(vapid, student, connections, status):
    """ASVS 5.0 V15.3.2 (backend calls to external URLs do not follow redirects)
    and V1.3.6 (SSRF): an endpoint that redirects cannot bounce the worker to
    another address; the other server is never contacted."""
    landing = WebServer(status=201)
    redirector = WebServer(status=status, location=f"http://127.0.0.1:{landing.port}/landing")
    try:
        subscription = push_subscription_save(
            user=student,
            subscription_json=subscription_for(f"http://127.0.0.1:{redirector.port}/push/abc"),
            user_agent="",
        )
        notification = NotificationFactory(receiver=student)

        result = push_deliver(subscription_id=subscription.pk, notification_id=notification.pk)
    finally:
        redirector.close()
        landing.close()

    assert result.outcome is PushOutcome.DROPPED
    assert result.status == status
    assert len(redirector.requests) == 1
    assert landing.requests == []
    assert [target for target in connections if target[1] == landing.port] == []


# --- The pinned connection itself ------------------------------------------------------


def _certificate(
    name: str, issuer_key=None, issuer_name=None, *, ca: bool = False
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name or subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
    else:
        builder = (
            builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False
            )
        )
    return builder.sign(issuer_key or key, hashes.SHA256()), key


@pytest.fixture
def tls_files(tmp_path):
    """A test CA (in ca.pem) and a server certificate for ``certificate_name``."""

    def make(certificate_name: str) -> tuple[str, ssl.SSLContext]:
        ca_cert, ca_key = _certificate("Sqeeze test CA", ca=True)
        cert, key = _certificate(certificate_name, ca_key, ca_cert.subject)
        (tmp_path / "ca.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
        (tmp_path / "server.pem").write_bytes(
            cert.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tmp_path / "server.pem")
        return str(tmp_path / "ca.pem"), context

    return make


def test_the_pinned_https_connection_keeps_the_host_name_for_sni_host_and_certificate(
    dns, connections, tls_files
):
    """ASVS 5.0 V12.3.2 (TLS clients validate the server certificate) and V1.3.6:
    connecting to the checked address does not weaken TLS; SNI, the Host header
    and the certificate check all use the endpoint's name, and no lookup happens."""
    ca_file, context = tls_files(NAME)
    server = WebServer(status=201, tls=context)
    pin = PinnedHost(
        scheme="https", host=NAME, port=server.port, address=ipaddress.ip_address("127.0.0.1")
    )
    try:
        with pinned_session(pin) as session:
            session.verify = ca_file
            response = session.post(f"https://{NAME}:{server.port}/push/abc", data=b"hello")
    finally:
        server.close()

    assert response.status_code == 201
    assert server.server_names == [NAME]
    assert server.requests[0]["headers"]["host"] == f"{NAME}:{server.port}"
    assert dns.count(NAME) == 0
    assert [target for target in connections if target[1] == server.port] == [
        ("127.0.0.1", server.port)
    ]


def test_the_pinned_https_connection_refuses_a_certificate_for_another_name(tls_files):
    """ASVS 5.0 V12.3.2 (TLS clients validate the server certificate): the
    certificate must be the endpoint name's, not merely valid for the address
    we connect to."""
    ca_file, context = tls_files("other.example.com")
    server = WebServer(status=201, tls=context)
    pin = PinnedHost(
        scheme="https", host=NAME, port=server.port, address=ipaddress.ip_address("127.0.0.1")
    )
    try:
        with pinned_session(pin) as session, pytest.raises(requests.exceptions.SSLError):
            session.verify = ca_file
            session.post(f"https://{NAME}:{server.port}/push/abc", data=b"hello")
    finally:
        server.close()

    assert server.requests == []


def test_the_pinned_session_reaches_no_other_origin_and_uses_no_proxy(monkeypatch, connections):
    """ASVS 5.0 V1.3.6 (SSRF allowlist) and V13.2.4 (outbound allowlist): the
    session built for one checked endpoint cannot be pointed anywhere else, and
    an HTTP proxy from the environment (which would resolve the name itself) is
    not used."""
    target, proxy = WebServer(status=201), WebServer(status=200)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
    monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{proxy.port}")
    pin = PinnedHost(
        scheme="http", host=NAME, port=target.port, address=ipaddress.ip_address("127.0.0.1")
    )
    try:
        with pinned_session(pin) as session:
            sent = session.post(f"http://{NAME}:{target.port}/push/abc", data=b"x")
            with pytest.raises(requests.exceptions.InvalidURL):
                session.post(f"http://127.0.0.1:{proxy.port}/elsewhere", data=b"x")
            with pytest.raises(requests.exceptions.InvalidURL):
                session.post(f"https://{NAME}:{target.port}/push/abc", data=b"x")
    finally:
        target.close()
        proxy.close()

    assert sent.status_code == 201
    assert [item["path"] for item in target.requests] == ["/push/abc"]
    assert proxy.requests == []
    assert [target for target in connections if target[1] == proxy.port] == []
