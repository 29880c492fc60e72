"""A real Celery worker process (not eager) picks up an export the teacher
asked for and writes its file where the download view finds it.

As in tests/notifications/test_email_worker.py: the worker runs this checkout
against the test database and this test process's broker, on a queue of this
test's own, so no other worker takes the task."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from kombu import Exchange, Queue
from openpyxl import load_workbook

from sqeeze.celery import app as celery_app
from submissions.models import ExportStatus, SubmissionExport
from tests.files.conftest import use_storage
from tests.notifications.test_email_worker import database_url, stop_worker
from tests.submissions.test_exports import ENGLISH_HEADERS, download, prepare_url

WAIT_SECONDS = 60


@pytest.fixture
def private_queue():
    """Route the export task to a queue of this test's own while it runs."""
    name = f"sqeeze-test-export-{uuid.uuid4().hex[:12]}"
    previous = celery_app.conf.task_routes
    celery_app.conf.update(task_routes={"submissions.build_export": {"queue": name}})
    try:
        yield name
    finally:
        celery_app.conf.update(task_routes=previous)
        with celery_app.connection_for_write() as broker:
            queue = Queue(name, Exchange(name, type="direct"), routing_key=name)
            bound = queue(broker.default_channel)
            bound.declare()
            bound.delete()


def start_worker(queue: str, media_root: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sqeeze.settings",
        "DATABASE_URL": database_url(),
        "DB_CONN_MAX_AGE": "0",
        "REDIS_URL": django_settings.CACHES["default"]["LOCATION"],
        "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DEBUG": "true",
        "MEDIA_ROOT": str(media_root),  # its private files: <media_root>/private
    }
    command = [
        sys.executable, "-m", "celery", "-A", "sqeeze", "worker",
        "--pool", "solo", "--concurrency", "1", "-l", "WARNING",
        "-Q", queue, "-n", f"{queue}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    with log.open("wb") as output:
        return subprocess.Popen(
            command, cwd=django_settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_prepares_the_file(client, klass, settings, tmp_path, private_queue):
    use_storage("local", None, settings, tmp_path)
    client.force_login(klass.teacher)
    # Committed at once (no transaction around the test): the task is queued.
    response = client.post(
        prepare_url(klass.journey), {"format": "xlsx"}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 302
    export = SubmissionExport.objects.get()
    assert export.status == ExportStatus.QUEUED

    log = Path(tempfile.mkstemp(prefix="sqeeze-export-worker-", suffix=".log")[1])
    worker = start_worker(private_queue, tmp_path, log)
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if worker.poll() is not None:
                pytest.fail(f"The worker exited ({worker.returncode}):\n{log.read_text()[-4000:]}")
            export.refresh_from_db()
            if export.status in (ExportStatus.READY, ExportStatus.FAILED):
                break
            time.sleep(0.25)
        else:
            pytest.fail(f"No file within {WAIT_SECONDS}s; the worker's log:\n{log.read_text()}")
    finally:
        stop_worker(worker)
        log.unlink(missing_ok=True)

    assert export.status == ExportStatus.READY, export.error
    assert export.rows_written == 4
    _response, body = download(client, export)
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    assert list(rows[0]) == ENGLISH_HEADERS
    assert len(rows) == 5
