"""A real Celery worker process (not eager, tests/celery_worker.py) drains the
queue into a real SMTP server."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from django.core.mail import send_mail

from notifications.email_tasks import drain_email_queue
from notifications.models import EmailQueue, EmailStatus
from tests import celery_worker
from tests.celery_worker import stop_worker
from tests.notifications.smtp_server import SMTPServer, smtp_server_fixture  # noqa: F401

WAIT_SECONDS = 60


@pytest.fixture
def private_queue():
    with celery_worker.private_queue("notifications.drain_email_queue", "email") as name:
        yield name


def start_worker(queue: str, smtp_server: SMTPServer, log: Path):
    return celery_worker.start_worker(queue, log, EMAIL_URL=smtp_server.url, EMAIL_TIMEOUT="10")


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_delivers_queued_mail(settings, smtp_server, private_queue):
    settings.EMAIL_BACKEND = "notifications.email_backend.QueueEmailBackend"
    # Committed at once (no transaction around the test), so the worker sees it.
    send_mail(
        "Mission graded",
        "You passed.",
        "Sqeeze <no-reply@sqeeze.test>",
        ["Minji Kim <minji@example.test>"],
        html_message="<p>You <b>passed</b>.</p>",
    )
    row = EmailQueue.objects.get()

    log = Path(tempfile.mkstemp(prefix="sqeeze-email-worker-", suffix=".log")[1])
    worker = start_worker(private_queue, smtp_server, log)
    try:
        drain_email_queue.delay()
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if worker.poll() is not None:
                pytest.fail(
                    f"The Celery worker exited ({worker.returncode}):\n{log.read_text()[-4000:]}"
                )
            row.refresh_from_db()
            if smtp_server.received and row.status != EmailStatus.PENDING:
                break
            time.sleep(0.25)
        else:
            pytest.fail(
                f"The worker did not deliver within {WAIT_SECONDS}s; its log:\n"
                f"{log.read_text()[-4000:]}"
            )
    finally:
        stop_worker(worker)
        log.unlink(missing_ok=True)

    [received] = smtp_server.received
    assert received.rcpt_tos == ("minji@example.test",)
    assert received.message["Subject"] == "Mission graded"
    assert received.part("text/html").strip() == "<p>You <b>passed</b>.</p>"
    assert row.status == EmailStatus.SENT
    assert row.status_code == 250
    assert row.processed_at is not None
