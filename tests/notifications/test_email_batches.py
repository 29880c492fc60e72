"""The drain works in chunks: one claim and one UPDATE per chunk, one SMTP connection
per drain, and a failure (a refusal, a dropped connection, no server at all)
touches only the e-mail it happened to."""

from __future__ import annotations

import datetime as dt

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from django.db import connection
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.email_delivery import ROWS_PER_TRANSACTION, email_queue_drain
from notifications.models import EmailQueue, EmailStatus
from tests.notifications.smtp_server import HOST, RecordingHandler, free_port, point_delivery_at

pytestmark = pytest.mark.django_db


class PickyHandler(RecordingHandler):
    """Accepts everything, except that it refuses or hangs up on chosen recipients,
    and notes which connection (the client's port) brought each e-mail."""

    def __init__(self) -> None:
        super().__init__()
        self.refuse: dict[str, str] = {}
        self.hang_up_on: set[str] = set()
        self.ports: list[int] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.hang_up_on:
            self.hang_up_on.discard(address)  # once: the retry goes through
            server.transport.close()  # no reply at all, as when a connection drops
            return "421 4.4.2 Connection dropped"  # never arrives
        if reply := self.refuse.get(address):
            return reply
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if reply.startswith("250"):
            self.ports.append(session.peer[1])
        return reply


@pytest.fixture
def picky_smtp(settings):
    handler = PickyHandler()
    controller = Controller(
        handler, hostname=HOST, port=free_port(), server_hostname="smtp.test", ready_timeout=10
    )
    controller.start()
    point_delivery_at(settings, HOST, controller.port)
    settings.EMAIL_RETRY_BASE_SECONDS = 60
    settings.EMAIL_MAX_RETRIES = 6
    try:
        yield handler
    finally:
        controller.stop()


def queue_rows(count: int) -> list[EmailQueue]:
    """``count`` due rows, person0@… first (each a second older than the next)."""
    start = timezone.now() - dt.timedelta(hours=1)
    return EmailQueue.objects.bulk_create(
        EmailQueue(
            recipient_email=f"person{n}@example.test",
            recipient_name=f"학생 {n}",
            subject=f"Mail {n}",
            content=f"Body {n}",
            html_content=f"<p>Body {n}</p>",
            from_email="Sqeeze <no-reply@sqeeze.test>",
            headers={"Message-ID": f"<row-{n}@sqeeze.test>"},
            next_attempt_at=start + dt.timedelta(seconds=n),
        )
        for n in range(count)
    )


def fetch(rows: list[EmailQueue]) -> list[EmailQueue]:
    by_id = EmailQueue.objects.in_bulk([row.pk for row in rows])
    return [by_id[row.pk] for row in rows]


def test_a_drain_claims_and_marks_per_chunk_not_per_email(picky_smtp):
    count = 2 * ROWS_PER_TRANSACTION + 3  # three chunks, the last one short
    rows = queue_rows(count)

    with CaptureQueriesContext(connection) as queries:
        result = email_queue_drain(batch_size=count)

    assert (result.sent, result.retried, result.failed) == (count, 0, 0)
    statements = [query["sql"] for query in queries.captured_queries]
    claims = [sql for sql in statements if "FOR UPDATE SKIP LOCKED" in sql]
    updates = [sql for sql in statements if sql.lstrip().startswith("UPDATE")]
    assert (len(claims), len(updates)) == (3, 3)
    assert len(statements) <= 3 * 5  # claim, UPDATE and savepoints per chunk, whatever the count
    # One SMTP connection for the whole drain.
    assert len(picky_smtp.received) == count
    assert len(set(picky_smtp.ports)) == 1
    # Each row keeps its own server reply (its queue id), oldest first.
    marked = fetch(rows)
    assert all(row.status == EmailStatus.SENT for row in marked)
    assert [row.response for row in marked] == [
        f"2.0.0 Ok: queued as TEST{n:06d}" for n in range(1, count + 1)
    ]
    assert all(row.status_code == 250 and row.processed_at for row in marked)


def test_the_message_sent_is_the_one_built(picky_smtp):
    [row] = queue_rows(1)

    email_queue_drain()

    [received] = picky_smtp.received
    assert received.mail_from == "no-reply@sqeeze.test"
    assert received.rcpt_tos == ("person0@example.test",)
    message = received.message
    assert message["To"].addresses[0].display_name == "학생 0"
    assert message["Message-ID"] == "<row-0@sqeeze.test>"
    assert message.get_content_type() == "multipart/alternative"
    assert received.part("text/plain").strip() == "Body 0"
    assert received.part("text/html").strip() == "<p>Body 0</p>"


def test_a_refusal_in_the_middle_leaves_the_others_sent_and_itself_retried(picky_smtp):
    rows = queue_rows(5)
    picky_smtp.refuse["person2@example.test"] = "451 4.3.0 Temporary local problem"

    result = email_queue_drain()

    assert (result.sent, result.retried, result.failed) == (4, 1, 0)
    marked = fetch(rows)
    assert [row.status for row in marked] == [
        EmailStatus.SENT,
        EmailStatus.SENT,
        EmailStatus.PENDING,
        EmailStatus.SENT,
        EmailStatus.SENT,
    ]
    refused = marked[2]
    assert (refused.retry_count, refused.status_code) == (1, 451)
    assert "Temporary local problem" in refused.error_message
    assert 50 < (refused.next_attempt_at - timezone.now()).total_seconds() <= 60
    assert [row.retry_count for row in marked if row is not refused] == [0, 0, 0, 0]
    assert sorted(email.rcpt_tos[0] for email in picky_smtp.received) == [
        f"person{n}@example.test" for n in (0, 1, 3, 4)
    ]


def test_a_dropped_connection_is_retried_and_the_rest_go_on_a_new_one(picky_smtp):
    rows = queue_rows(4)
    picky_smtp.hang_up_on.add("person2@example.test")

    result = email_queue_drain()

    assert (result.sent, result.retried, result.failed) == (3, 1, 0)
    dropped = fetch(rows)[2]
    assert dropped.status == EmailStatus.PENDING
    assert dropped.retry_count == 1
    assert dropped.error_message.startswith("SMTPServerDisconnected")
    assert [email.rcpt_tos[0] for email in picky_smtp.received] == [
        "person0@example.test",
        "person1@example.test",
        "person3@example.test",
    ]
    first, second, after = picky_smtp.ports
    assert first == second != after  # reconnected for the e-mail after the drop

    EmailQueue.objects.filter(pk=dropped.pk).update(next_attempt_at=Now())
    assert email_queue_drain().sent == 1
    assert fetch([dropped])[0].status == EmailStatus.SENT


def test_an_unreachable_server_stops_the_drain_and_spares_the_rest(settings):
    point_delivery_at(settings, HOST, free_port())  # nothing listens there
    rows = queue_rows(3)

    result = email_queue_drain()

    assert (result.sent, result.retried, result.failed) == (0, 1, 0)
    assert not result.batch_full  # no drain is queued right after
    tried, *spared = fetch(rows)
    assert tried.retry_count == 1
    assert tried.error_message.startswith("ConnectionRefusedError")
    assert tried.next_attempt_at > timezone.now()
    # Untouched: still due, their retries unspent, for the next drain.
    for row, original in zip(spared, rows[1:], strict=True):
        assert (row.status, row.retry_count, row.error_message) == (EmailStatus.PENDING, 0, None)
        assert row.next_attempt_at == original.next_attempt_at


def refuse_every_log_in(server, session, envelope, mechanism, auth_data) -> AuthResult:
    return AuthResult(success=False, handled=False)


def test_a_refused_log_in_is_retried_not_failed(settings):
    # A 535 at log-in is a wrong password in our settings, never the e-mail's fault.
    controller = Controller(
        RecordingHandler(),
        hostname=HOST,
        port=free_port(),
        server_hostname="smtp.test",
        ready_timeout=10,
        authenticator=refuse_every_log_in,
        auth_require_tls=False,
    )
    controller.start()
    try:
        point_delivery_at(settings, HOST, controller.port)
        settings.EMAIL_HOST_USER = "sqeeze"
        settings.EMAIL_HOST_PASSWORD = "not-the-password"
        rows = queue_rows(2)

        result = email_queue_drain()
    finally:
        controller.stop()

    assert (result.sent, result.retried, result.failed) == (0, 1, 0)
    tried, spared = fetch(rows)
    assert (tried.status, tried.retry_count, tried.status_code) == (EmailStatus.PENDING, 1, 535)
    assert tried.error_message.startswith("SMTPAuthenticationError")
    assert (spared.status, spared.retry_count) == (EmailStatus.PENDING, 0)
