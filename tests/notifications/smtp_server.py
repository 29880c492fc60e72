"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests that deliver e-mail.

Import the fixtures into a test module to use them (``# noqa: F401``):

    from tests.notifications.smtp_server import smtp_delivery_fixture, smtp_server_fixture

* ``smtp_server``: a running server (``SMTPServer``) that records every e-mail
  it accepts and can be told to answer the next RCPT, MAIL or DATA commands
  with an error (``server.fail_next("rcpt", 451)``).
* ``smtp_delivery``: points the queue's delivery at that server (Django's SMTP
  backend, no TLS, no login) and returns the server.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller

from tests.net import free_port

HOST = "127.0.0.1"
STAGES = ("mail", "rcpt", "data")
DEFAULT_REPLIES = {
    421: "421 4.3.0 Service not available, try again later",
    450: "450 4.2.1 Mailbox busy, try again later",
    451: "451 4.3.0 Temporary local problem, try again later",
    452: "452 4.3.1 Insufficient system storage",
    550: "550 5.1.1 No such user here",
    552: "552 5.3.4 Message too big",
    554: "554 5.7.1 Rejected as spam",
}


@dataclass(frozen=True)
class ReceivedEmail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return BytesParser(policy=policy.default).parsebytes(self.raw)

    def part(self, content_type: str) -> str | None:
        """The decoded body part of ``content_type`` ("text/plain", "text/html")."""
        for part in self.message.walk():
            if part.get_content_type() == content_type and not part.is_multipart():
                return part.get_content()
        return None


class RecordingHandler:
    """aiosmtpd handler: accepts everything unless told to fail the next commands."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[ReceivedEmail] = []
        self._failures: dict[str, deque[str]] = {stage: deque() for stage in STAGES}
        self._accepted = 0

    # --- what tests call -------------------------------------------------------

    def fail_next(self, stage: str, code: int, *, times: int = 1, reply: str | None = None):
        """Answer the next ``times`` commands of ``stage`` with ``code``."""
        if stage not in STAGES:
            raise ValueError(f"stage must be one of {STAGES}, not {stage!r}")
        text = reply or DEFAULT_REPLIES.get(code) or f"{code} Scripted failure"
        with self._lock:
            self._failures[stage].extend([text] * times)

    @property
    def received(self) -> list[ReceivedEmail]:
        with self._lock:
            return list(self._received)

    def wait_for(self, count: int, *, timeout: float = 10) -> list[ReceivedEmail]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received

    # --- aiosmtpd hooks ----------------------------------------------------------

    def _scripted(self, stage: str) -> str | None:
        with self._lock:
            queue = self._failures[stage]
            return queue.popleft() if queue else None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if failure := self._scripted("mail"):
            return failure
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if failure := self._scripted("rcpt"):
            return failure
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if failure := self._scripted("data"):
            return failure
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        with self._lock:
            self._accepted += 1
            queue_id = f"TEST{self._accepted:06d}"
            self._received.append(
                ReceivedEmail(envelope.mail_from, tuple(envelope.rcpt_tos), bytes(raw))
            )
        return f"250 2.0.0 Ok: queued as {queue_id}"


class SMTPServer:
    def __init__(self, controller: Controller, handler: RecordingHandler) -> None:
        self.controller = controller
        self.handler = handler
        self.host = HOST
        self.port = controller.port

    def fail_next(self, stage: str, code: int, *, times: int = 1, reply: str | None = None):
        self.handler.fail_next(stage, code, times=times, reply=reply)

    @property
    def received(self) -> list[ReceivedEmail]:
        return self.handler.received

    def wait_for(self, count: int, *, timeout: float = 10) -> list[ReceivedEmail]:
        return self.handler.wait_for(count, timeout=timeout)

    @property
    def url(self) -> str:
        """The server as an ``EMAIL_URL`` (django-environ)."""
        return f"smtp://{self.host}:{self.port}"


@pytest.fixture(name="smtp_server")
def smtp_server_fixture():
    handler = RecordingHandler()
    # server_hostname: without it aiosmtpd asks DNS for this host's name.
    controller = Controller(
        handler, hostname=HOST, port=free_port(), server_hostname="smtp.test", ready_timeout=10
    )
    controller.start()
    try:
        yield SMTPServer(controller, handler)
    finally:
        controller.stop()


def point_delivery_at(settings, host: str, port: int) -> None:
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = host
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10


@pytest.fixture(name="smtp_delivery")
def smtp_delivery_fixture(settings, smtp_server) -> SMTPServer:
    point_delivery_at(settings, smtp_server.host, smtp_server.port)
    return smtp_server
