"""Draining email_queue into a real SMTP server (aiosmtpd): delivery, retries, failures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db.models.functions import Now
from django.utils import timezone

from notifications.email_backend import email_queue_retry
from notifications.email_delivery import (
    MAX_RETRY_DELAY,
    email_queue_drain,
    retry_delay,
)
from notifications.models import EmailQueue, EmailStatus
from tests.notifications.smtp_server import (  # noqa: F401
    free_port,
    point_delivery_at,
    smtp_delivery_fixture,
    smtp_server_fixture,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def queue_backend(settings):
    settings.EMAIL_BACKEND = "notifications.email_backend.QueueEmailBackend"
    settings.EMAIL_RETRY_BASE_SECONDS = 60
    settings.EMAIL_MAX_RETRIES = 6


def queue_mail(to: str = "Minji Kim <minji@example.test>", subject: str = "Week 3") -> EmailQueue:
    message = EmailMultiAlternatives(
        subject=subject,
        body="Your mission is graded.",
        from_email="Sqeeze <no-reply@sqeeze.test>",
        to=[to],
        reply_to=["teacher@example.test"],
    )
    message.attach_alternative("<p>Your mission is <b>graded</b>.</p>", "text/html")
    message.send()
    return EmailQueue.objects.latest("id")


def make_due(row: EmailQueue) -> None:
    """Stand for time passing: the row's next attempt is now."""
    EmailQueue.objects.filter(pk=row.pk).update(next_attempt_at=Now())


def seconds_until(moment: dt.datetime) -> float:
    return (moment - timezone.now()).total_seconds()


def test_the_drain_delivers_text_and_html_to_the_server(smtp_delivery):
    row = queue_mail()

    result = email_queue_drain()

    assert (result.sent, result.retried, result.failed) == (1, 0, 0)
    [received] = smtp_delivery.wait_for(1)
    assert received.mail_from == "no-reply@sqeeze.test"
    assert received.rcpt_tos == ("minji@example.test",)
    message = received.message
    assert message["Subject"] == "Week 3"
    assert message["From"] == "Sqeeze <no-reply@sqeeze.test>"
    assert message["To"] == "Minji Kim <minji@example.test>"
    assert message["Reply-To"] == "teacher@example.test"
    assert message["Message-ID"] == row.headers["Message-ID"]
    assert received.part("text/plain").strip() == "Your mission is graded."
    assert received.part("text/html").strip() == "<p>Your mission is <b>graded</b>.</p>"

    row.refresh_from_db()
    assert row.status == EmailStatus.SENT
    assert row.processed is True
    assert row.processed_at is not None
    assert row.failed_at is None
    assert row.status_code == 250
    assert row.response.startswith("2.0.0 Ok: queued as TEST")
    assert EmailQueue.objects.sent().get() == row


def test_a_korean_name_and_subject_arrive_intact(smtp_delivery):
    queue_mail(to="김민지 <minji@example.test>", subject="과제가 채점되었습니다")

    email_queue_drain()

    [received] = smtp_delivery.wait_for(1)
    assert received.message["Subject"] == "과제가 채점되었습니다"
    assert received.message["To"].addresses[0].display_name == "김민지"


def test_a_temporary_refusal_is_retried_later_with_backoff(smtp_delivery):
    row = queue_mail()
    smtp_delivery.fail_next("rcpt", 451)

    result = email_queue_drain()

    assert (result.sent, result.retried, result.failed) == (0, 1, 0)
    row.refresh_from_db()
    assert row.status == EmailStatus.PENDING
    assert row.retry_count == 1
    assert row.status_code == 451
    assert "Temporary local problem" in row.error_message
    assert 50 < seconds_until(row.next_attempt_at) <= 60
    assert smtp_delivery.received == []

    # Not due yet: a drain right away leaves it alone.
    assert email_queue_drain().claimed == 0

    make_due(row)
    assert email_queue_drain().sent == 1
    assert len(smtp_delivery.wait_for(1)) == 1
    row.refresh_from_db()
    assert row.status == EmailStatus.SENT
    assert (row.retry_count, row.status_code) == (1, 250)
    assert "451" in row.error_message  # the last failure stays as history


def test_repeated_temporary_failures_give_up_after_the_limit(settings, smtp_delivery):
    settings.EMAIL_MAX_RETRIES = 3
    row = queue_mail()
    smtp_delivery.fail_next("data", 452, times=3)

    assert email_queue_drain().retried == 1
    row.refresh_from_db()
    assert 50 < seconds_until(row.next_attempt_at) <= 60

    make_due(row)
    assert email_queue_drain().retried == 1
    row.refresh_from_db()
    assert row.retry_count == 2
    assert 110 < seconds_until(row.next_attempt_at) <= 120  # twice the base

    make_due(row)
    assert email_queue_drain().failed == 1
    row.refresh_from_db()
    assert row.status == EmailStatus.FAILED
    assert row.retry_count == 3
    assert row.processed is True
    assert row.failed_at is not None
    assert row.processed_at is not None
    assert row.status_code == 452
    assert EmailQueue.objects.failed().get() == row
    assert smtp_delivery.received == []

    make_due(row)  # a failed row is never picked up again by itself
    assert email_queue_drain().claimed == 0


@pytest.mark.parametrize("stage", ["rcpt", "data"])
def test_a_permanent_refusal_fails_at_once(smtp_delivery, stage):
    row = queue_mail()
    smtp_delivery.fail_next(stage, 550)

    result = email_queue_drain()

    assert (result.sent, result.retried, result.failed) == (0, 0, 1)
    row.refresh_from_db()
    assert row.status == EmailStatus.FAILED
    assert (row.retry_count, row.status_code) == (1, 550)
    assert row.response == "5.1.1 No such user here"
    assert row.failed_at is not None


def test_a_refused_sender_fails_at_once(smtp_delivery):
    row = queue_mail()
    smtp_delivery.fail_next("mail", 554)

    assert email_queue_drain().failed == 1
    row.refresh_from_db()
    assert row.status_code == 554
    assert row.error_message.startswith("SMTPSenderRefused")


def test_a_refused_connection_is_temporary(settings, db):
    point_delivery_at(settings, "127.0.0.1", free_port())
    row = queue_mail()

    result = email_queue_drain()

    assert result.retried == 1
    row.refresh_from_db()
    assert row.status == EmailStatus.PENDING
    assert row.retry_count == 1
    assert row.status_code is None
    assert row.error_message.startswith("ConnectionRefusedError")
    assert seconds_until(row.next_attempt_at) > 50


def test_an_email_that_cannot_be_built_fails_at_once(smtp_delivery):
    # Written with plain SQL or by an older version: the backend would refuse it.
    row = EmailQueue.objects.create(
        recipient_email="minji@example.test\nBcc: everyone@example.test", subject="Hi", content="x"
    )

    assert email_queue_drain().failed == 1

    row.refresh_from_db()
    assert row.status == EmailStatus.FAILED
    assert row.error_message.startswith("ValueError")
    assert smtp_delivery.received == []


def test_one_bad_row_does_not_stop_the_batch(smtp_delivery):
    rows = [queue_mail(to=f"person{n}@example.test", subject=f"Mail {n}") for n in range(5)]
    EmailQueue.objects.filter(pk=rows[0].pk).update(next_attempt_at=Now() - dt.timedelta(hours=1))
    # The first send of the batch is refused for good, the rest go through on a
    # fresh connection.
    smtp_delivery.fail_next("rcpt", 550)

    result = email_queue_drain()

    assert (result.sent, result.retried, result.failed) == (4, 0, 1)
    assert EmailQueue.objects.failed().get() == rows[0]  # oldest due first
    received = smtp_delivery.wait_for(4)
    assert sorted(r.message["Subject"] for r in received) == [f"Mail {n}" for n in range(1, 5)]


def test_a_drain_takes_at_most_one_batch(smtp_delivery):
    for n in range(3):
        queue_mail(to=f"person{n}@example.test")

    first = email_queue_drain(batch_size=2)
    second = email_queue_drain(batch_size=2)

    assert (first.sent, first.batch_full) == (2, True)
    assert (second.sent, second.batch_full) == (1, False)
    assert EmailQueue.objects.pending().count() == 0


def test_the_batch_size_must_be_positive():
    with pytest.raises(ValueError, match="batch_size"):
        email_queue_drain(batch_size=0)


def test_any_delivery_backend_works(settings):
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    row = queue_mail()

    assert email_queue_drain().sent == 1

    row.refresh_from_db()
    assert (row.status, row.status_code, row.response) == (EmailStatus.SENT, 250, "accepted")
    assert [m.subject for m in mail.outbox] == ["Week 3"]


def test_retry_puts_failed_rows_back_in_the_queue(
    smtp_delivery, django_capture_on_commit_callbacks
):
    failed = queue_mail(to="failed@example.test")
    smtp_delivery.fail_next("rcpt", 550)
    email_queue_drain()
    sent = queue_mail(to="sent@example.test")
    email_queue_drain()

    with django_capture_on_commit_callbacks() as callbacks:
        count = email_queue_retry(ids=[failed.pk, sent.pk])

    assert count == 1
    assert len(callbacks) == 1  # a drain is asked for
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert failed.status == EmailStatus.PENDING
    assert (failed.retry_count, failed.failed_at, failed.processed_at) == (0, None, None)
    assert sent.status == EmailStatus.SENT  # a sent e-mail is not sent again

    assert email_queue_drain().sent == 1
    assert [r.rcpt_tos for r in smtp_delivery.wait_for(2)] == [
        ("sent@example.test",),
        ("failed@example.test",),
    ]


def test_backoff_doubles_and_is_capped(settings):
    settings.EMAIL_RETRY_BASE_SECONDS = 60
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert retry_delay(10) == MAX_RETRY_DELAY
    assert retry_delay(10_000) == MAX_RETRY_DELAY
