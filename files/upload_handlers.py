"""Refusing an oversized upload before it is read.

``file_upload`` checks sizes too, but by then Django has read the whole body
into memory or a temporary file. ``limit_upload_size`` stops earlier:

1. a request whose ``Content-Length`` is over the limit (times the number of
   files, plus room for the other form fields) is refused before one byte of the
   body is read;
2. otherwise an upload handler goes first in the chain and counts each file's
   bytes as Django's multipart parser hands them over (64 KiB at a time); the
   moment one file passes the limit it raises ``StopUpload(connection_reset=True)``,
   which makes the parser stop reading the body at once, and
   ``limit_upload_size`` raises ``UploadTooLarge``.

Django's CSRF middleware reads ``request.POST`` before the view runs, which
parses the body with the default handlers. So an upload view must let this run
first: decorate it with ``@upload_limit(...)`` (it does the ``csrf_exempt`` /
``csrf_protect`` dance from Django's upload-handler documentation, and answers
413), or do the same by hand. Called too late, ``limit_upload_size`` still
refuses oversized files, from the parsed sizes, and logs a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from files.purposes import purpose as purpose_named
from files.validation import too_large_message

logger = logging.getLogger(__name__)

# Room for the multipart boundaries, part headers and small form fields (CSRF
# token, a title …) next to the files themselves.
FORM_OVERHEAD_BYTES = 64 * 1024


class UploadTooLarge(Exception):
    """The request carries a file over ``max_bytes``; answer 413 with ``message``."""

    status_code = 413

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.message = too_large_message(max_bytes)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops the multipart parser as soon as one file part passes ``max_bytes``.

    It only counts: the chunks go on to Django's memory or temporary-file handler.
    """

    chunk_size = 64 * 1024  # the parser reads the body in the smallest handler chunk size

    def __init__(self, request: HttpRequest, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.max_bytes:
            self.exceeded = True
            # connection_reset: do not read (and throw away) the rest of the body.
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler builds the file


def _content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _body_already_read(request: HttpRequest) -> bool:
    return hasattr(request, "_files") or getattr(request, "_read_started", False)


def _check_parsed_sizes(request: HttpRequest, max_bytes: int) -> None:
    for _field, uploads in request.FILES.lists():
        if any(upload.size is not None and upload.size > max_bytes for upload in uploads):
            raise UploadTooLarge(max_bytes)


def limit_upload_size(request: HttpRequest, max_bytes: int, *, max_files: int = 1) -> None:
    """Refuse (``UploadTooLarge``) a request with a file over ``max_bytes``
    without reading it; call before anything touches ``request.POST`` or
    ``request.FILES``. ``max_files`` is how many files the form may carry: the
    whole body may be ``max_bytes * max_files`` plus form overhead.

    On return the body is parsed: ``request.POST`` and ``request.FILES`` are ready.
    """
    if max_bytes < 0 or max_files < 1:
        raise ValueError("max_bytes must be >= 0 and max_files >= 1.")
    if _content_length(request) > max_bytes * max_files + FORM_OVERHEAD_BYTES:
        raise UploadTooLarge(max_bytes)
    if _body_already_read(request):
        logger.warning(
            "limit_upload_size ran after the body of %s was read; oversized files were "
            "read in full. Decorate the view with files.upload_handlers.upload_limit.",
            request.path,
        )
        _check_parsed_sizes(request, max_bytes)
        return
    handler = SizeLimitUploadHandler(request, max_bytes)
    request.upload_handlers.insert(0, handler)
    # Parse now: an overflow must be reported as such, not later as a form
    # whose file field is mysteriously empty.
    request.FILES  # noqa: B018
    if handler.exceeded:
        raise UploadTooLarge(max_bytes)
    _check_parsed_sizes(request, max_bytes)


def too_large_response(request: HttpRequest, error: UploadTooLarge) -> HttpResponse:
    """413 with the message: JSON for clients that ask for it, else plain text."""
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"error": error.message}, status=413)
    return HttpResponse(error.message, status=413, content_type="text/plain; charset=utf-8")


def upload_limit(
    max_bytes: int | Callable[[HttpRequest], int] | None = None,
    *,
    purpose: str | None = None,
    max_files: int = 1,
    on_too_large: Callable[[HttpRequest, UploadTooLarge], HttpResponse] | None = None,
):
    """Decorate an upload view so ``limit_upload_size`` runs before anything
    reads the body, then the CSRF check, then the view.

    The limit is ``max_bytes`` (a number, or a function of the request) or the
    bucket limit of ``purpose``. An oversized request gets ``on_too_large(request,
    error)`` (default: ``too_large_response``) without a CSRF check: nothing was
    read or changed. Put it under ``login_required`` and the like, which keep the
    ``csrf_exempt`` mark through ``functools.wraps``.
    """
    if (max_bytes is None) == (purpose is None):
        raise TypeError("upload_limit takes either max_bytes or purpose.")
    if purpose is not None:
        spec = purpose_named(purpose)  # an unknown purpose fails at import, not per request

        def limit_of(request: HttpRequest) -> int:
            return spec.max_bytes

    elif callable(max_bytes):
        limit_of = max_bytes
    else:

        def limit_of(request: HttpRequest) -> int:
            return max_bytes

    respond = on_too_large or too_large_response

    def decorator(view):
        protected = csrf_protect(view)

        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
                try:
                    limit_upload_size(request, limit_of(request), max_files=max_files)
                except UploadTooLarge as error:
                    return respond(request, error)
            return protected(request, *args, **kwargs)

        return csrf_exempt(wrapped)

    return decorator
