"""Serving stored files: the access-checked download route for every file, and
the public media route that serves public files from local disk.

Whatever the bytes are, a browser never runs them as part of this site: each
response carries ``nosniff``, a sandboxing Content-Security-Policy, and
``Content-Disposition: attachment`` unless the file is one of a few plain
image types."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_safe

from files.access import file_visible_to
from files.links import public_buckets
from files.models import File
from files.purposes import is_public, storage_for

logger = logging.getLogger(__name__)

# Shown inline (e.g. in an <img>); everything else is downloaded. No SVG: it can
# carry scripts.
INLINE_MIME_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
FILE_CSP = "default-src 'none'; sandbox"
PUBLIC_CACHE_CONTROL = "public, max-age=31536000, immutable"  # names are unique per upload

_MIME_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*")
_FALLBACK_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._()\- ]")


def content_type_of(file: File) -> str:
    """The row's MIME type when it is a plain ``type/subtype``, else a generic one
    (a stray parameter or newline must not reach the header)."""
    mime_type = (file.mime_type or "").strip().lower()
    return mime_type if _MIME_TYPE.fullmatch(mime_type) else "application/octet-stream"


def is_inline(file: File) -> bool:
    return content_type_of(file) in INLINE_MIME_TYPES


def content_disposition(file: File) -> str:
    """``attachment`` (or ``inline`` for plain images) with the original name as
    RFC 6266 ``filename*`` (UTF-8, percent-encoded) and an ASCII fallback from
    which quotes, semicolons and control characters are removed."""
    disposition = "inline" if is_inline(file) else "attachment"
    name = "".join(char for char in file.file_name if char.isprintable()).strip() or "file"
    fallback = _FALLBACK_NAME_UNSAFE.sub("_", name)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _is_s3(storage: Storage) -> bool:
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # pragma: no cover (django-storages is a dependency)
        return False
    return isinstance(storage, S3Storage)


def _protect(response: HttpResponse, *, cache_control: str) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = cache_control
    return response


def _stream(storage: Storage, file: File, *, cache_control: str) -> HttpResponse:
    try:
        handle = storage.open(file.file_path, "rb")
    except (FileNotFoundError, SuspiciousFileOperation):
        # The row outlived its bytes (or names a path outside the storage).
        logger.warning("File %s has no readable bytes at %r", file.pk, file.file_path)
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type_of(file))
    response["Content-Disposition"] = content_disposition(file)
    return _protect(response, cache_control=cache_control)


@require_safe
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """Any file the person may see; 404 for missing, deleted, other organization's
    or not allowed, all alike. Local disk streams the bytes; S3 redirects to a
    short-lived presigned URL that makes S3 send the same disposition and type."""
    file = File.objects.filter(pk=pk, is_deleted=False).first()
    if file is None or not file_visible_to(request.user, file):
        raise Http404
    public = is_public(file.bucket_name)
    storage = storage_for(file.bucket_name)
    if not _is_s3(storage):
        # Private: cached no longer than a presigned S3 address lives, so both
        # backends re-check access equally often.
        private = f"private, max-age={settings.FILES_PRESIGNED_URL_SECONDS}"
        cache_control = PUBLIC_CACHE_CONTROL if public else private
        return _stream(storage, file, cache_control=cache_control)
    if public:
        # S3 serves public files itself; its address needs no signature.
        return HttpResponseRedirect(storage.url(file.file_path))
    url = storage.url(
        file.file_path,
        parameters={
            "ResponseContentDisposition": content_disposition(file),
            "ResponseContentType": content_type_of(file),
        },
    )
    response = HttpResponseRedirect(url)
    # The signed address expires soon and must not outlive an access change.
    response["Cache-Control"] = "private, no-store"
    return response


def _clean_relative_path(path: str) -> str | None:
    if not path or path.startswith("/") or "\\" in path or "\x00" in path:
        return None
    segments = path.split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        return None
    return path


@require_safe
def public_media(request: HttpRequest, path: str) -> HttpResponse:
    """``/media/public/<path>`` from the local public storage, in production too
    (gunicorn; there is no other route to these bytes). Only paths that a
    non-deleted public file row names are served: deleted files and anything
    else lying on disk are not. With S3, S3 serves public files and this is 404."""
    storage = storages["public_files"]
    relative = _clean_relative_path(path)
    if relative is None or not isinstance(storage, FileSystemStorage):
        raise Http404
    try:
        storage.path(relative)  # safe_join: refuses anything outside the folder
    except (SuspiciousFileOperation, ValueError):
        raise Http404 from None
    file = File.objects.filter(
        file_path=relative, is_deleted=False, bucket_name__in=public_buckets()
    ).first()
    if file is None:
        raise Http404
    return _stream(storage, file, cache_control=PUBLIC_CACHE_CONTROL)
