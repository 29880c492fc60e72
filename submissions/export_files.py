"""The files of submission exports: a worker writes one, beat deletes them
when they expire. (Asking for one and listing them: ``submissions.export_jobs``;
what is in the file: ``submissions.exports``.)

Files go to the ``private_files`` storage, like post attachments: local disk
or S3 (django-storages), never at a public address; the download view checks
who asks, then streams the file or redirects to a short-lived presigned URL.

Memory stays flat however large the journey: the rows come from a server-side
cursor into a temporary file on the worker's disk, which the storage then
copies in chunks (S3: a multipart upload).

A CSV is stored gzip-compressed (``.csv.gz``): names, e-mail addresses and
post addresses repeat, so it shrinks about seven times (the largest class's
7.6 MB to 1.1 MB), and browsers get it as it is stored, with
``Content-Encoding: gzip``, and save the CSV itself. An XLSX is a ZIP archive
already and is stored as written.
"""

from __future__ import annotations

import datetime as dt
import gzip
import logging
import tempfile
import uuid
from collections.abc import Iterator
from typing import IO

from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from submissions import exports
from submissions.models import ACTIVE_STATUSES, ExportFormat, ExportStatus, SubmissionExport

logger = logging.getLogger(__name__)

STORAGE = "private_files"
FOLDER = "submission-exports"
# How long a prepared file can be downloaded; then beat deletes it.
EXPORT_LIFETIME = dt.timedelta(hours=24)
# A worker that has not finished an export by then never will (its task has
# a time limit of EXPORT_TIME_LIMIT_SECONDS, or its message was lost): beat
# marks it failed, so the teacher can try again.
EXPORT_TIME_LIMIT_SECONDS = 15 * 60
STALE_AFTER = dt.timedelta(minutes=30)
# What the error column keeps of an exception (for operators).
ERROR_MAX_LENGTH = 500
EXPIRE_BATCH = 500

WRITERS = {ExportFormat.CSV: exports.csv_write, ExportFormat.XLSX: exports.xlsx_write}
GZIPPED_FORMATS = frozenset({ExportFormat.CSV})
GZIP_SUFFIX = ".gz"
READ_BLOCK = 64 * 1024


def export_storage() -> Storage:
    return storages[STORAGE]


def presigned_url(
    storage: Storage, name: str, *, disposition: str, content_type: str
) -> str | None:
    """A short-lived S3 address of ``name`` that makes S3 answer with this
    disposition and type (as ``files.views.download`` does), and say that a
    gzipped file is gzip-encoded (every browser decodes it); None for a
    storage that Django serves itself (local disk)."""
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # pragma: no cover (django-storages is a dependency)
        return None
    if not isinstance(storage, S3Storage):
        return None
    parameters = {"ResponseContentDisposition": disposition, "ResponseContentType": content_type}
    if is_gzipped(name):
        parameters["ResponseContentEncoding"] = "gzip"
    return storage.url(name, parameters=parameters)


def export_file_path(export: SubmissionExport) -> str:
    """Where the file goes: an unguessable name, and a folder per month so
    none grows too large; ``.gz`` when it is stored compressed."""
    created = export.created_at or timezone.now()
    suffix = GZIP_SUFFIX if export.format in GZIPPED_FORMATS else ""
    return f"{FOLDER}/{created:%Y}/{created:%m}/{export.pk.hex}.{export.format}{suffix}"


def is_gzipped(file_path: str) -> bool:
    return file_path.endswith(GZIP_SUFFIX)


def gunzipped(handle: IO[bytes]) -> Iterator[bytes]:
    """The bytes of a stored gzipped file, decompressed a block at a time, for
    a client that does not take gzip; the file is closed at the end."""
    with handle, gzip.GzipFile(fileobj=handle, mode="rb") as unpacked:
        while block := unpacked.read(READ_BLOCK):
            yield block


# --- the worker ------------------------------------------------------------------------


def submission_export_build(*, export_id: uuid.UUID | str) -> SubmissionExport | None:
    """Write the export's file and mark it ready, or failed with a short error.
    Nothing happens (None) when the row is gone or no longer waiting: deleted,
    expired, already done, or given up on by beat. A message delivered twice
    (a worker lost mid-task) writes the file again; only the last claim may
    finish the row."""
    export = _claim(export_id)
    if export is None:
        return None
    storage = export_storage()
    stored_name = ""
    try:
        with tempfile.TemporaryFile(prefix="sqeeze-export-") as scratch:
            rows, size = _write(export, scratch)
            scratch.seek(0)
            stored_name = storage.save(export_file_path(export), File(scratch))
    except Exception as error:
        logger.exception("Submission export %s failed", export.pk)
        if stored_name:
            _delete_quietly(storage, stored_name)
        _finish(export, status=ExportStatus.FAILED, error=_short(error))
        return export
    if not _finish(
        export, status=ExportStatus.READY, file_path=stored_name, file_size=size, rows=rows
    ):
        # Deleted, expired or claimed again meanwhile: the file has no row to serve it.
        _delete_quietly(storage, stored_name)
    return export


def _claim(export_id) -> SubmissionExport | None:
    """Mark a waiting (or, redelivered, a running) export as running, now; the
    row with its journey and requester, or None when it is not to be built."""
    started = timezone.now()
    claimed = SubmissionExport.objects.filter(pk=export_id, status__in=ACTIVE_STATUSES).update(
        status=ExportStatus.RUNNING, started_at=started
    )
    if not claimed:
        return None
    return (
        SubmissionExport.objects.select_related("journey", "requested_by")
        .filter(pk=export_id, started_at=started)
        .first()
    )


def _write(export: SubmissionExport, scratch: IO[bytes]) -> tuple[int, int]:
    """Write the file into ``scratch`` (gzipped if its format is stored so);
    the rows written and the size of the file a reader gets (uncompressed)."""
    settings = exports.ExportSettings.for_person(export.requested_by, language=export.language)
    export_format = ExportFormat(export.format)
    write = WRITERS[export_format]
    if export_format not in GZIPPED_FORMATS:
        rows = write(export.journey, settings, scratch)
        return rows, scratch.tell()
    # mtime=0: the same rows give the same bytes (no time in the gzip header).
    with gzip.GzipFile(fileobj=scratch, mode="wb", compresslevel=6, mtime=0) as packed:
        counted = _CountingWriter(packed)
        rows = write(export.journey, settings, counted)
    return rows, counted.written


class _CountingWriter:
    """Passes writes on, counting the bytes (the size before compression)."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.written = 0

    def write(self, data: bytes) -> int:
        self.written += len(data)
        return self.target.write(data)


def _finish(
    export: SubmissionExport,
    *,
    status: ExportStatus,
    file_path: str = "",
    file_size: int | None = None,
    rows: int | None = None,
    error: str = "",
) -> bool:
    """Record the outcome of this run; False when the row is no longer this
    run's to finish. A ready file is kept EXPORT_LIFETIME from now."""
    finished = timezone.now()
    changes = {"status": status, "finished_at": finished, "error": error}
    if status == ExportStatus.READY:
        changes |= {
            "file_path": file_path,
            "file_size": file_size,
            "rows_written": rows,
            "expires_at": finished + EXPORT_LIFETIME,
        }
    updated = SubmissionExport.objects.filter(
        pk=export.pk, status=ExportStatus.RUNNING, started_at=export.started_at
    ).update(**changes)
    for name, value in changes.items():
        setattr(export, name, value)
    return bool(updated)


def _short(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}"
    return text[:ERROR_MAX_LENGTH]


def _delete_quietly(storage: Storage, name: str) -> bool:
    try:
        storage.delete(name)
    except Exception:
        logger.exception("Could not delete the export file %s", name)
        return False
    return True


# --- beat ------------------------------------------------------------------------------


def submission_exports_expire(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Beat's clean-up: delete expired exports with their files, and mark
    exports no worker finished in time (STALE_AFTER) as failed. A file the
    storage cannot delete keeps its row, for the next run. Safe to run twice
    at once: rows are claimed with SKIP LOCKED."""
    now = now or timezone.now()
    stale = (
        SubmissionExport.objects.filter(status__in=ACTIVE_STATUSES)
        .filter(
            Q(started_at__lt=now - STALE_AFTER)
            | Q(started_at__isnull=True, created_at__lt=now - STALE_AFTER)
        )
        .update(
            status=ExportStatus.FAILED,
            finished_at=now,
            error="Not finished in time (the worker stopped, or the task was lost).",
        )
    )
    due = SubmissionExport.objects.filter(expires_at__lte=now).order_by("expires_at")
    deleted = 0
    for pk in list(due.values_list("pk", flat=True)[:EXPIRE_BATCH]):
        if submission_export_delete(export_id=pk):
            deleted += 1
    return {"deleted": deleted, "stale": stale}


def submission_export_delete(*, export_id: uuid.UUID) -> bool:
    """Delete an export and its file; False when the row is gone or locked by
    another run, or its file could not be deleted (the row then stays, to be
    tried again). A worker still writing it finds no row to finish and
    deletes what it wrote."""
    with transaction.atomic():
        locked = SubmissionExport.objects.select_for_update(skip_locked=True)
        row = locked.filter(pk=export_id).first()
        if row is None:
            return False
        if row.file_path and not _delete_quietly(export_storage(), row.file_path):
            return False
        row.delete()
    return True


def export_file_forget(sender, instance: SubmissionExport, **kwargs) -> None:
    """``post_delete`` of an export row, however it goes (with its journey, by
    hand, by the clean-up): its file goes too once the deletion is committed,
    so a deleted journey leaves no export files behind in the storage."""
    if instance.file_path:
        storage, name = export_storage(), instance.file_path
        transaction.on_commit(lambda: _delete_quietly(storage, name))
