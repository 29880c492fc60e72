"""Where a stored file is shown from: one address per file, and the fallback to
the seed's legacy URL columns (``profiles.profile_image``, ``journeys.image_url``,
``bug_reports.file_url``) for rows that predate the ``files`` table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse

from core.links import safe_url
from files.purposes import is_public, storage_for

if TYPE_CHECKING:
    from files.models import FileColumns


def public_buckets() -> list[str]:
    return [bucket for bucket in settings.FILE_BUCKETS if is_public(bucket)]


def file_url(file: FileColumns) -> str:
    """Public files: the public storage's own address (``/media/public/…`` or the
    S3 bucket). Private files: the download view, which checks access first."""
    if is_public(file.bucket_name):
        return storage_for(file.bucket_name).url(file.file_path)
    return reverse("files:download", args=[file.pk])


def display_url(file: FileColumns | None, legacy_url: str | None) -> str | None:
    """The address to show for an image or attachment: the stored file when it is
    there and not deleted, else the legacy URL column when it is a safe one."""
    if file is not None and not file.is_deleted:
        return file_url(file)
    return safe_url(legacy_url)
