"""Writes of the files app: storing an upload, deleting a file, purging the bytes
of files deleted long ago.

Every stored file has a row and every row's bytes were stored first: the bytes
are saved, then the row is inserted; when the insert fails the bytes are removed
again. (A caller that runs ``file_upload`` inside its own, larger transaction
and then rolls that back leaves the bytes without a row: harmless, unreachable,
and the price of not holding a transaction open while talking to S3.)
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Profile, Role
from files.links import file_url
from files.models import File, FileType
from files.purposes import purpose as purpose_named
from files.purposes import storage_for
from files.validation import (
    FileRejected,
    process_image,
    read_upload,
    sanitize_file_name,
    sniff,
)

__all__ = [
    "FileRejected",
    "UploadResult",
    "file_delete",
    "file_purge_deleted",
    "file_upload",
    "file_url",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UploadResult:
    file: File
    url: str


def file_upload(
    *,
    uploader: Profile,
    uploaded_file: UploadedFile,
    purpose: str,
    bucket: str | None = None,
) -> UploadResult:
    """Check, clean and store an upload for ``purpose``; its row and address.

    Raises ``FileRejected`` (with a message for the uploader) when the file is
    empty, too large for the purpose's bucket, of a type the purpose does not
    accept, or an image that is broken or has too many pixels; nothing is stored
    then. ``bucket``, when given, must be the purpose's own (ValueError if not).
    """
    spec = purpose_named(purpose)
    if bucket is not None and bucket != spec.bucket:
        raise ValueError(f"Purpose {spec.key!r} stores into {spec.bucket!r}, not {bucket!r}.")

    data = read_upload(uploaded_file, max_bytes=spec.max_bytes)
    original_size = len(data)
    format = sniff(data, purpose=spec)
    metadata: dict = {"original_size": original_size, "purpose": spec.key}
    if format.kind == FileType.IMAGE:
        image = process_image(data, format=format, max_pixels=settings.FILE_IMAGE_MAX_PIXELS)
        data = image.data
        metadata.update(width=image.width, height=image.height)
        if image.frames > 1:
            metadata["frames"] = image.frames

    now = timezone.now()
    path = f"{spec.bucket}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{format.extension}"
    storage = storage_for(spec.bucket)
    stored_name = storage.save(path, ContentFile(data))
    try:
        with transaction.atomic():
            file = File.objects.create(
                user=uploader,
                file_name=sanitize_file_name(uploaded_file.name, format=format),
                file_path=stored_name,
                file_size=len(data),
                mime_type=format.mime,
                file_type=format.kind,
                bucket_name=spec.bucket,
                metadata=metadata,
            )
    except BaseException:
        _delete_bytes_quietly(storage, stored_name)
        raise
    return UploadResult(file=file, url=file_url(file))


def _delete_bytes_quietly(storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:
        logger.exception("Could not remove %s after its row failed to save", name)


def _may_delete(file: File, by: Profile) -> bool:
    if not by.is_active:
        return False
    if by.is_superuser or file.user_id == by.pk:
        return True
    owner_organization = file.user.organization_id
    return (
        owner_organization is not None
        and by.organization_id == owner_organization
        and by.role == Role.ADMIN
    )


def file_delete(*, file: File, by: Profile) -> File:
    """Soft-delete ``file``: it is no longer listed or served; its bytes stay
    ``FILES_PURGE_AFTER_DAYS`` (see ``file_purge_deleted``). Deleting a deleted
    file changes nothing. Only the uploader, an admin of the uploader's
    organization or a platform operator may delete (PermissionDenied)."""
    if not _may_delete(file, by):
        raise PermissionDenied(_("Only the person who uploaded a file or an admin can delete it."))
    with transaction.atomic():
        locked = File.objects.select_for_update().get(pk=file.pk)
        if not locked.is_deleted:
            locked.is_deleted = True
            locked.deleted_at = timezone.now()
            locked.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    file.is_deleted, file.deleted_at = locked.is_deleted, locked.deleted_at
    file.updated_at = locked.updated_at
    return file


def file_purge_deleted(*, older_than_days: int | None = None) -> int:
    """Remove the stored bytes of files deleted more than ``older_than_days``
    (default ``settings.FILES_PURGE_AFTER_DAYS``) ago; the rows stay, marked with
    ``metadata["purged_at"]`` so they are not tried again. Bytes already gone are
    fine; a storage error leaves that row for the next run. Returns how many
    files were purged. Safe to run twice at once: rows are claimed with
    SKIP LOCKED."""
    days = settings.FILES_PURGE_AFTER_DAYS if older_than_days is None else older_than_days
    if days < 0:
        raise ValueError("older_than_days must not be negative.")
    cutoff = timezone.now() - dt.timedelta(days=days)
    due = File.objects.filter(is_deleted=True, deleted_at__lte=cutoff).filter(
        Q(metadata__isnull=True) | ~Q(metadata__has_key="purged_at")
    )
    purged = 0
    for pk in list(due.order_by("deleted_at").values_list("pk", flat=True)):
        with transaction.atomic():
            row = due.select_for_update(skip_locked=True).filter(pk=pk).first()
            if row is None:
                continue  # restored, purged or being purged by another run meanwhile
            try:
                storage_for(row.bucket_name).delete(row.file_path)
            except Exception:
                logger.exception("Could not purge the bytes of file %s", row.pk)
                continue
            metadata = row.metadata if isinstance(row.metadata, dict) else {}
            if row.metadata is not None and not isinstance(row.metadata, dict):
                metadata = {"imported": row.metadata}  # a seed row's odd JSON is kept
            row.metadata = {**metadata, "purged_at": timezone.now().isoformat()}
            row.save(update_fields=["metadata", "updated_at"])
            purged += 1
    return purged
