"""allauth's mail (here: password reset) goes through the queue and out through SMTP."""

from __future__ import annotations

import re

import pytest

from notifications.email_delivery import email_queue_drain
from notifications.models import EmailQueue, EmailStatus
from tests.factories import ProfileFactory
from tests.notifications.smtp_server import smtp_delivery_fixture, smtp_server_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

RESET_LINK = re.compile(r"https?://[^\s\"<>]+/accounts/password/reset/key/[^\s\"<>]+")


@pytest.fixture(autouse=True)
def queue_backend(settings):
    settings.EMAIL_BACKEND = "notifications.email_backend.QueueEmailBackend"
    # allauth counts reset requests per address in the shared cache; repeated
    # runs within a minute must not be turned away.
    settings.ACCOUNT_RATE_LIMITS = False


def test_a_password_reset_mail_is_queued_then_delivered(client, smtp_delivery):
    person = ProfileFactory(email="forgetful@example.test")

    response = client.post("/accounts/password/reset/", {"email": person.email})

    assert response.status_code == 302
    row = EmailQueue.objects.get(recipient_email=person.email)
    assert RESET_LINK.search(row.content), row.content
    assert row.status == EmailStatus.PENDING
    assert smtp_delivery.received == []  # the request itself talked no SMTP

    assert email_queue_drain().sent == 1

    [received] = smtp_delivery.wait_for(1)
    assert received.rcpt_tos == (person.email,)
    assert RESET_LINK.search(received.part("text/plain"))
    row.refresh_from_db()
    assert row.status == EmailStatus.SENT


def test_an_unknown_address_queues_no_reset_link(client, smtp_delivery):
    client.post("/accounts/password/reset/", {"email": "nobody@example.test"})

    # allauth may tell an unknown address that it has no account, never a link.
    for row in EmailQueue.objects.all():
        assert not RESET_LINK.search(row.content)
