"""A real Celery worker process (not eager) drains the queue into a real SMTP server.

The worker runs this checkout's code against the test database and the broker
this test process uses; only its queue is private (a unique name), so a worker
of another test run on the same broker never takes our task, nor ours theirs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings as django_settings
from django.core.mail import send_mail
from django.db import connection
from kombu import Exchange, Queue

from notifications.email_tasks import drain_email_queue
from notifications.models import EmailQueue, EmailStatus
from sqeeze.celery import app as celery_app
from tests.notifications.smtp_server import SMTPServer, smtp_server_fixture  # noqa: F401

WAIT_SECONDS = 60


def database_url() -> str:
    """The test database as a DATABASE_URL (django-environ), socket or TCP.

    django-environ keeps a socket directory (``?host=/dir``) in OPTIONS, not HOST.
    """
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    name = quote(db["NAME"], safe="")
    options = {key: str(value) for key, value in (db.get("OPTIONS") or {}).items()}
    host = db["HOST"] or ""
    if host.startswith("/"):
        options["host"], host = host, ""
    port = f":{db['PORT']}" if db["PORT"] and host else ""
    query = f"?{urlencode(options, safe='/')}" if options else ""
    return f"postgres://{user}{password}@{host}{port}/{name}{query}"


@pytest.fixture
def private_queue():
    """Route the drain task to a queue of this test's own for as long as it runs."""
    name = f"sqeeze-test-email-{uuid.uuid4().hex[:12]}"
    previous = celery_app.conf.task_routes
    celery_app.conf.update(task_routes={"notifications.drain_email_queue": {"queue": name}})
    try:
        yield name
    finally:
        celery_app.conf.update(task_routes=previous)
        # Leave nothing behind on the broker: the queue and its binding.
        with celery_app.connection_for_write() as broker:
            queue = Queue(name, Exchange(name, type="direct"), routing_key=name)
            bound = queue(broker.default_channel)
            bound.declare()
            bound.delete()


def start_worker(queue: str, smtp_server: SMTPServer, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sqeeze.settings",
        "DATABASE_URL": database_url(),
        "DB_CONN_MAX_AGE": "0",
        "REDIS_URL": django_settings.CACHES["default"]["LOCATION"],
        "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DEBUG": "true",
        "EMAIL_URL": smtp_server.url,
        "EMAIL_TIMEOUT": "10",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "sqeeze",
        "worker",
        "--pool",
        "solo",
        "--concurrency",
        "1",
        "-l",
        "WARNING",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        # Nothing to say to other workers; mingle alone costs seconds at start.
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with log.open("wb") as output:
        return subprocess.Popen(
            command, cwd=django_settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)  # warm shutdown: finish the task in hand
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=15)


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
