"""Asking for an export of a journey's submissions, and finding the exports
of a journey: the request side. (The worker's side, writing and deleting the
files: ``submissions.export_files``.)

Callers have checked who asks (``journeys.access.managed_journey_for``): every
read here is scoped to that journey, so another journey's export id is not
found.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Profile
from core.keyset import newest_first_page
from journeys.models import Journey
from submissions.export_files import EXPORT_LIFETIME
from submissions.models import ACTIVE_STATUSES, ExportFormat, ExportStatus, SubmissionExport
from submissions.tasks import build_export

# The exports page lists this many at a time (they expire after a day anyway).
EXPORTS_PAGE_SIZE = 20


def submission_export_request(
    *, journey: Journey, by: Profile, format: ExportFormat | str, language: str
) -> tuple[SubmissionExport, bool]:
    """Queue an export of ``journey`` in ``format`` for ``by``, written in
    ``language`` (the one they read the page in) and their time zone. Returns
    the export and True, or, when ``by`` already has one of that format waiting
    or being prepared, that one and False (nothing queued). The task is queued
    once the row is committed, so the worker finds it."""
    format = ExportFormat(format)
    waiting = _active(journey, by, format)
    if waiting is not None:
        return waiting, False
    try:
        with transaction.atomic():
            export = SubmissionExport.objects.create(
                journey=journey,
                requested_by=by,
                format=format,
                language=language,
                # Until it is ready (then a day from then); beat deletes it after.
                expires_at=timezone.now() + EXPORT_LIFETIME,
            )
            transaction.on_commit(lambda: build_export.delay(str(export.pk)))
    except IntegrityError:
        # Two clicks at once: the other one's row won (submission_exports_one_active).
        waiting = _active(journey, by, format)
        if waiting is None:
            raise
        return waiting, False
    return export, True


def _active(journey: Journey, by: Profile, format: ExportFormat) -> SubmissionExport | None:
    return SubmissionExport.objects.filter(
        journey=journey, requested_by=by, format=format, status__in=ACTIVE_STATUSES
    ).first()


def journey_exports(journey: Journey) -> QuerySet[SubmissionExport]:
    """The journey's exports that have not expired, with who asked."""
    return SubmissionExport.objects.filter(
        journey=journey, expires_at__gt=timezone.now()
    ).select_related("requested_by")


def recent_exports(journey: Journey, *, after: str | None) -> tuple[list, str | None]:
    """A page of the journey's exports, newest first, and the next page's
    cursor (None on the last); ``core.keyset.BadCursor`` for a cursor that is
    not ours."""
    return newest_first_page(
        journey_exports(journey), time_field="created_at", after=after, size=EXPORTS_PAGE_SIZE
    )


def ready_export(journey: Journey, export_id) -> SubmissionExport | None:
    """The journey's export ``export_id`` if its file can be downloaded."""
    return journey_exports(journey).filter(pk=export_id, status=ExportStatus.READY).first()
