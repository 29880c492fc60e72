"""Django's mail functions write email_queue rows (QueueEmailBackend) and talk no SMTP."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail
from django.core.mail import BadHeaderError, EmailMessage, EmailMultiAlternatives, send_mail
from django.db import DatabaseError, connection, transaction

from notifications.email_backend import UnsupportedEmailError
from notifications.models import EmailQueue
from tests.notifications.smtp_server import smtp_delivery_fixture, smtp_server_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def queue_backend(settings):
    # pytest-django swaps EMAIL_BACKEND for locmem in every test.
    settings.EMAIL_BACKEND = "notifications.email_backend.QueueEmailBackend"


def test_send_mail_writes_a_row_and_talks_no_smtp(
    smtp_delivery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        sent = send_mail(
            "Welcome to Sqeeze",
            "Plain words.",
            "Sqeeze <no-reply@sqeeze.test>",
            ["Minji Kim <minji@example.test>"],
            html_message="<p>Rich words.</p>",
        )

    assert sent == 1
    row = EmailQueue.objects.get()
    assert row.recipient_email == "minji@example.test"
    assert row.recipient_name == "Minji Kim"
    assert row.subject == "Welcome to Sqeeze"
    assert row.content == "Plain words."
    assert row.html_content == "<p>Rich words.</p>"
    assert row.from_email == "Sqeeze <no-reply@sqeeze.test>"
    assert row.processed is False
    assert row.retry_count == 0
    assert row.headers["Message-ID"].endswith("@sqeeze.test>")
    # One drain is asked for once the transaction commits; SMTP waits for it.
    assert len(callbacks) == 1
    assert smtp_delivery.received == []
    assert mail.outbox == []


def test_every_recipient_gets_a_row_of_their_own():
    message = EmailMultiAlternatives(
        subject="Week 3 is open",
        body="Text part",
        from_email="teacher@sqeeze.test",
        to=["a@example.test", "Bee <b@example.test>"],
        cc=["c@example.test", "A@example.test"],
        bcc=["d@example.test"],
        reply_to=["teacher@example.test"],
        headers={"X-Campaign": "week-3"},
    )
    message.attach_alternative("<p>HTML part</p>", "text/html")

    assert message.send() == 1

    rows = {row.recipient_email: row for row in EmailQueue.objects.all()}
    # "A@example.test" in cc is a@example.test again: one e-mail each.
    assert sorted(rows) == ["a@example.test", "b@example.test", "c@example.test", "d@example.test"]
    assert rows["b@example.test"].recipient_name == "Bee"
    assert rows["a@example.test"].recipient_name is None
    for row in rows.values():
        assert (row.content, row.html_content) == ("Text part", "<p>HTML part</p>")
        assert row.headers["Reply-To"] == "teacher@example.test"
        assert row.headers["X-Campaign"] == "week-3"
    message_ids = {row.headers["Message-ID"] for row in rows.values()}
    assert len(message_ids) == 4


def test_a_korean_encoded_name_is_stored_readable():
    EmailMessage("안녕하세요", "본문", to=["=?utf-8?b?6rmA66+87KeA?= <minji@example.test>"]).send()

    row = EmailQueue.objects.get()
    assert (row.recipient_name, row.subject) == ("김민지", "안녕하세요")


def test_the_ref_header_fills_content_ref_id_and_is_not_sent_on():
    ref = uuid.uuid4()
    EmailMessage("About", "Body", to=["a@example.test"], headers={"X-Sqeeze-Ref": str(ref)}).send()
    EmailMessage("Other", "Body", to=["b@example.test"], headers={"X-Sqeeze-Ref": "nope"}).send()

    about = EmailQueue.objects.get(recipient_email="a@example.test")
    other = EmailQueue.objects.get(recipient_email="b@example.test")
    assert about.content_ref_id == ref
    assert other.content_ref_id is None  # not a UUID: ignored, the e-mail still queued
    assert "X-Sqeeze-Ref" not in about.headers


def test_an_html_only_message_keeps_its_html_and_a_text_version():
    message = EmailMessage("Hi", "<p>Hello <b>there</b></p>", to=["a@example.test"])
    message.content_subtype = "html"
    message.send()

    row = EmailQueue.objects.get()
    assert row.html_content == "<p>Hello <b>there</b></p>"
    assert row.content == "Hello there"


def test_a_rolled_back_transaction_writes_no_row(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send_mail("Graded", "You passed", None, ["a@example.test"])
        assert EmailQueue.objects.count() == 1  # visible inside the transaction only
        raise RuntimeError("the request failed")

    assert EmailQueue.objects.count() == 0
    assert callbacks == []


def test_attachments_are_refused_not_dropped():
    message = EmailMessage("Report", "See attached", to=["a@example.test"])
    message.attach("report.csv", "a,b\n1,2\n", "text/csv")

    with pytest.raises(UnsupportedEmailError, match="attachments"):
        message.send()
    assert EmailQueue.objects.count() == 0


def test_a_non_html_alternative_is_refused():
    message = EmailMultiAlternatives("Invite", "Text", to=["a@example.test"])
    message.attach_alternative("BEGIN:VCALENDAR", "text/calendar")

    with pytest.raises(UnsupportedEmailError, match="text/calendar"):
        message.send()
    assert EmailQueue.objects.count() == 0


def test_bad_headers_fail_in_the_request_like_smtp_would():
    with pytest.raises(BadHeaderError):
        send_mail("Two\nlines", "Body", None, ["a@example.test"])
    with pytest.raises(ValueError):
        send_mail("Subject", "Body", None, ["not an address"])
    assert EmailQueue.objects.count() == 0


def test_a_message_without_recipients_is_not_counted():
    assert EmailMessage("Nobody", "Body", to=[]).send() == 0
    assert EmailQueue.objects.count() == 0


def test_fail_silently_only_logs_when_the_transaction_is_broken():
    # As in a request that hit a database error: PostgreSQL now refuses every
    # statement, and the error log handler still mails the admins (fail_silently).
    with connection.cursor() as cursor, pytest.raises(DatabaseError):
        cursor.execute("SELECT 1/0")

    assert send_mail("Error", "Traceback", None, ["ops@example.test"], fail_silently=True) == 0
    with pytest.raises(DatabaseError):
        send_mail("Error", "Traceback", None, ["ops@example.test"])
