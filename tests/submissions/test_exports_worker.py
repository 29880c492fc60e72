"""A real Celery worker process (not eager) picks up an export the teacher
asked for and writes its file where the download view finds it.

The worker is tests/celery_worker.py's: this checkout, the test database, a
queue of this test's own."""

from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from submissions.models import ExportStatus, SubmissionExport
from tests import celery_worker
from tests.celery_worker import stop_worker
from tests.files.conftest import use_storage
from tests.submissions.test_exports import ENGLISH_HEADERS, download, prepare_url

WAIT_SECONDS = 60


@pytest.fixture
def private_queue():
    with celery_worker.private_queue("submissions.build_export", "export") as name:
        yield name


def start_worker(queue: str, media_root: Path, log: Path):
    # Its private files: <media_root>/private, where the test's storage reads them.
    return celery_worker.start_worker(queue, log, MEDIA_ROOT=str(media_root))


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
