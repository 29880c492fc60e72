"""Where a stored file is shown from: one address per file, and the fallback to
the seed's legacy URL columns (``profiles.profile_image``, ``journeys.image_url``,
``bug_reports.file_url``) for rows that predate the ``files`` table."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

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


def safe_legacy_url(url: str | None) -> str | None:
    """An absolute http(s) URL or a path on this site; anything else (``javascript:``,
    ``data:``, ``//other.host``, relative paths, control characters) is dropped."""
    if not url:
        return None
    url = url.strip()
    # urlsplit silently removes tabs and newlines, which would let "java\tscript:"
    # through; refuse any control character or inner whitespace instead.
    if not url or any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        return None
    if "\\" in url:
        return None  # browsers read "/\host" as "//host"
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme in ("http", "https"):
        return url if parts.netloc else None
    if not parts.scheme and not parts.netloc and url.startswith("/") and not url.startswith("//"):
        return url
    return None


def display_url(file: FileColumns | None, legacy_url: str | None) -> str | None:
    """The address to show for an image or attachment: the stored file when it is
    there and not deleted, else the legacy URL column when it is a safe one."""
    if file is not None and not file.is_deleted:
        return file_url(file)
    return safe_legacy_url(legacy_url)
