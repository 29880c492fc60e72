"""The exports of a journey's Submissions tab (/journeys/<journey_id>/submissions/exports/):
a teacher asks for a file (POST, "Prepare CSV/Excel"); a Celery worker writes
it (``submissions.export_files``); the journey's exports page lists it,
polling while it is prepared, and links the download once it is ready.

Teachers and admins of the journey's academy only: every view starts with
``managed_journey_for``, which answers 404 to students and other academies.
"""

from __future__ import annotations

import logging
import math

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousFileOperation
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from accounts.selectors import public_name
from core.keyset import BadCursor
from core.ratelimit import rate_limit_hit, rate_limit_refund
from journeys.access import managed_journey_for
from submissions import exports
from submissions.export_files import (
    EXPORT_LIFETIME,
    export_storage,
    gunzipped,
    is_gzipped,
    presigned_url,
)
from submissions.export_jobs import ready_export, recent_exports, submission_export_request
from submissions.models import ExportFormat

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EXPORT_RATE_SCOPE = "submission_export"
EXPORT_CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: XLSX_CONTENT_TYPE,
}
# Whatever is in a cell, a browser never runs the file as part of this site.
EXPORT_CSP = "default-src 'none'; sandbox"


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=ExportFormat.choices)


@login_required
@require_GET
def exports_page(request: HttpRequest, journey_id) -> HttpResponse:
    """The journey's exports, newest first, a page at a time. With htmx, just
    the list: the page polls it while an export is being prepared."""
    journey = managed_journey_for(request.user, journey_id)
    return _exports_response(request, journey)


def _exports_response(request: HttpRequest, journey, *, status: int = 200) -> HttpResponse:
    after = request.GET.get("after") or None
    try:
        rows, next_cursor = recent_exports(journey, after=after)
    except BadCursor:
        return HttpResponseBadRequest(_("This page of the exports does not exist."))
    for export in rows:
        export.asked_by = public_name(export.requested_by)
    context = {
        "journey": journey,
        "active_tab": "submissions",
        "exports": rows,
        "next_cursor": next_cursor,
        "is_first_page": after is None,
        # Only the first page changes while a worker runs: new exports come first.
        "polling": after is None and any(export.is_active for export in rows),
        "lifetime_hours": int(EXPORT_LIFETIME.total_seconds() // 3600),
    }
    template = "submissions/exports.html"
    if request.htmx:
        template += "#export-list"
    response = render(request, template, context, status=status)
    # The same URL answers a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def export_prepare(request: HttpRequest, journey_id) -> HttpResponse:
    """Queue an export (unless the teacher already has one of that format on
    the way), then go to the exports page."""
    journey = managed_journey_for(request.user, journey_id)
    form = ExportForm(request.POST)
    if not form.is_valid():
        # Only a tampered form gets here: the buttons always send a format.
        return HttpResponseBadRequest(_("Choose CSV or Excel."))
    export_format = ExportFormat(form.cleaned_data["format"])
    # Per person, not per address: a school's teachers share one.
    hit = rate_limit_hit(scope=EXPORT_RATE_SCOPE, client=f"person:{request.user.pk}")
    if not hit.allowed:
        minutes = max(1, math.ceil(hit.retry_after / 60))
        messages.error(
            request,
            ngettext(
                "You have asked for many exports lately. Try again in a minute.",
                "You have asked for many exports lately. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
        )
        response = _exports_response(request, journey, status=429)
        response["Retry-After"] = str(hit.retry_after)
        return response
    _export, queued = submission_export_request(
        journey=journey, by=request.user, format=export_format, language=get_language()
    )
    params = {"format": export_format.label}
    if queued:
        messages.success(
            request, _("Preparing the %(format)s file. It appears below when it is ready.") % params
        )
    else:
        rate_limit_refund(hit)  # nothing was queued
        messages.info(request, _("Your %(format)s file is already being prepared.") % params)
    return redirect("submissions:exports", journey.pk)


@login_required
@require_safe
def export_download(request: HttpRequest, journey_id, export_id) -> HttpResponse:
    """A ready export's file, for the journey's teachers and admins; 404 for a
    missing, expired, unfinished or another journey's export. Local disk
    streams it (``FileResponse``: gunicorn can sendfile); S3 redirects to a
    short-lived presigned address that makes S3 send the same name and type."""
    journey = managed_journey_for(request.user, journey_id)
    export = ready_export(journey, export_id)
    if export is None:
        raise Http404
    # The day it was made, on the reader's calendar, as the name always said.
    day = timezone.localdate(export.created_at)
    disposition = exports.content_disposition(
        exports.export_filename(journey, export.format, day=day),
        fallback=exports.ascii_filename(export.format, day=day),
    )
    content_type = EXPORT_CONTENT_TYPES[ExportFormat(export.format)]
    storage = export_storage()
    presigned = presigned_url(
        storage, export.file_path, disposition=disposition, content_type=content_type
    )
    if presigned is not None:
        response = HttpResponseRedirect(presigned)
    else:
        try:
            handle = storage.open(export.file_path, "rb")
        except (FileNotFoundError, SuspiciousFileOperation):
            logger.warning("Export %s has no readable file at %r", export.pk, export.file_path)
            raise Http404 from None
        response = _file_response(request, export, handle, content_type)
        response["Content-Disposition"] = disposition
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = EXPORT_CSP
    # Personal data, and access may change: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _file_response(request: HttpRequest, export, handle, content_type: str) -> HttpResponse:
    """The stored bytes as they are (a gzipped CSV to a client that takes
    gzip: 1/7 of the bytes, and gunicorn can sendfile it), or a gzipped CSV
    decompressed on the way for a client that does not."""
    if not is_gzipped(export.file_path):
        return FileResponse(handle, content_type=content_type)
    if accepts_gzip(request):
        response = FileResponse(handle, content_type=content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = StreamingHttpResponse(gunzipped(handle), content_type=content_type)
        response["Content-Length"] = str(export.file_size)
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def accepts_gzip(request: HttpRequest) -> bool:
    """Does the client take ``Content-Encoding: gzip``? Every browser says so;
    "gzip;q=0" (or "*;q=0" without gzip) refuses it."""
    codings = {}
    for part in request.headers.get("Accept-Encoding", "").split(","):
        coding, _sep, params = part.strip().lower().partition(";")
        quality = params.replace(" ", "").removeprefix("q=") if params else "1"
        try:
            codings[coding] = float(quality) > 0
        except ValueError:
            codings[coding] = False
    return codings.get("gzip", codings.get("*", False))


# The former direct downloads (GET export.csv / export.xlsx) stay for bookmarks:
# they lead to the exports page, where one click prepares the file. A GET
# queues nothing: link previews, prefetching and other sites' <img> tags must
# not start work in a teacher's name.


@login_required
@require_GET
def export_csv(request: HttpRequest, journey_id) -> HttpResponse:
    journey = managed_journey_for(request.user, journey_id)
    return redirect("submissions:exports", journey.pk)


@login_required
@require_GET
def export_xlsx(request: HttpRequest, journey_id) -> HttpResponse:
    journey = managed_journey_for(request.user, journey_id)
    return redirect("submissions:exports", journey.pk)
