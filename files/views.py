"""Serving stored files: the access-checked download route for every file, and
the public media route that serves public files from local disk.

Whatever the bytes are, a browser never runs them as part of this site: each
response carries ``nosniff``, a sandboxing Content-Security-Policy, and
``Content-Disposition: attachment`` unless the file is one of a few plain
image types.

The image library: teachers and admins upload images once and reuse their
URLs (blog posts, mission descriptions).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST, require_safe

from accounts.models import Role
from accounts.permissions import require_role
from files import services
from files.access import file_visible_to
from files.links import file_url, public_buckets
from files.models import File, FileType
from files.purposes import is_public, storage_for
from files.upload_handlers import UploadTooLarge, upload_limit

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


# --- the image library (teachers) ---------------------------------------------


LIBRARY_BUCKET = "images"
LIBRARY_PURPOSE = "library_image"
PAGE_SIZE = 24
MAX_FILES_PER_UPLOAD = 20


def _require_teacher(request: HttpRequest) -> None:
    require_role(request.user, Role.TEACHER, _("The image library is for teachers and admins."))


def library_images(user) -> QuerySet[File]:
    """The organization's library: its members' active images in the library bucket.

    Blog covers share that bucket but belong to the platform's blog, not to the
    academy of the operator who uploaded them: an academy must neither reuse
    nor delete them."""
    return (
        File.objects.filter(
            bucket_name=LIBRARY_BUCKET,
            file_type=FileType.IMAGE,
            is_deleted=False,
            user__organization_id=user.organization_id,
        )
        .exclude(metadata__purpose="blog_image")
        .select_related("user")
    )


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    _require_teacher(request)
    images = library_images(request.user).order_by("-id")
    before = request.GET.get("before")
    if before is not None:
        if not before.isdigit():
            return HttpResponseBadRequest(_("This page of the library does not exist."))
        images = images.filter(id__lt=int(before))
    page = list(images[: PAGE_SIZE + 1])
    has_more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    for image in page:
        image.public_url = request.build_absolute_uri(file_url(image))
    context = {
        "images": page,
        "next_before": page[-1].pk if has_more else None,
        "max_megabytes": settings.FILE_BUCKETS[LIBRARY_BUCKET]["max_bytes"] // 2**20,
        "max_files": MAX_FILES_PER_UPLOAD,
    }
    return render(request, "files/library.html", context)


def _too_large(request: HttpRequest, error: UploadTooLarge) -> HttpResponse:
    messages.error(request, error.message)
    return redirect("files:library")


@login_required
@require_POST
# Refuses an oversized image before the body is read (and before CSRF parses it).
@upload_limit(purpose=LIBRARY_PURPOSE, max_files=MAX_FILES_PER_UPLOAD, on_too_large=_too_large)
def library_upload(request: HttpRequest) -> HttpResponse:
    _require_teacher(request)
    uploads = request.FILES.getlist("images")
    if not uploads:
        messages.error(request, _("Choose one or more images to upload."))
        return redirect("files:library")
    if len(uploads) > MAX_FILES_PER_UPLOAD:
        messages.error(
            request,
            _("Upload at most %(count)d images at once.") % {"count": MAX_FILES_PER_UPLOAD},
        )
        return redirect("files:library")
    stored = 0
    for upload in uploads:
        try:
            services.file_upload(
                uploader=request.user, uploaded_file=upload, purpose=LIBRARY_PURPOSE
            )
            stored += 1
        except services.FileRejected as error:
            # One bad file does not cost the others; say which one and why.
            messages.error(request, f"{upload.name}: {error}")
    if stored:
        messages.success(
            request,
            ngettext("%(count)d image added.", "%(count)d images added.", stored)
            % {"count": stored},
        )
    return redirect("files:library")


@login_required
@require_POST
def library_delete(request: HttpRequest, pk: int) -> HttpResponse:
    # Another organization's image, or one already deleted, is simply not found,
    # whoever asks (the role check comes second, for one's own academy's images).
    image = get_object_or_404(library_images(request.user), pk=pk)
    _require_teacher(request)
    try:
        services.file_delete(file=image, by=request.user)
    except PermissionDenied:
        messages.error(
            request, _("Only the person who uploaded an image or an admin can delete it.")
        )
        return redirect("files:library")
    if request.htmx:
        return HttpResponse("")  # the card disappears in place
    messages.success(request, _("The image was deleted."))
    return redirect("files:library")
