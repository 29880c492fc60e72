"""The submissions app's one table: exports of a journey's submissions
(CSV or Excel) that a teacher asked for and a Celery worker prepares.

A large journey's file takes seconds to write (1,260 students × 32 missions:
7.5 MB of CSV, 2.6 MB of XLSX); a web worker must not be blocked that long per
click, so the request only queues a row and the worker writes the file into
the private file storage (``submissions.export_files``). The row then says
where the file is until it expires and beat deletes both.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.db import TextLineField, created_at_field, uuid_pk


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


# A worker has yet to finish these: the page polls, and a second request of the
# same person and format is not queued.
ACTIVE_STATUSES = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class SubmissionExport(models.Model):
    """One requested export of a journey's submissions, from the click to the
    file's expiry. Not in the seed (see migration 0001)."""

    id = uuid_pk()
    journey = models.ForeignKey(
        "journeys.Journey",
        on_delete=models.CASCADE,
        related_name="submission_exports",
        verbose_name=_("journey"),
        db_index=False,  # submission_exports_recent starts with it
    )
    requested_by = models.ForeignKey(
        "accounts.Profile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    format = TextLineField(_("format"), choices=ExportFormat.choices)
    status = TextLineField(
        _("status"),
        choices=ExportStatus.choices,
        default=ExportStatus.QUEUED,
        db_default=ExportStatus.QUEUED,
    )
    # The language the requester was reading when they asked (their profile's,
    # else their browser's): the file's headers and labels are in it.
    language = TextLineField(_("language"), blank=True, default="", db_default="")
    # In the "private_files" storage, served only through the download view;
    # ".gz" at the end: stored gzip-compressed (submissions.export_files).
    file_path = TextLineField(_("file path"), blank=True, default="", db_default="")
    # What the reader saves (uncompressed), as the exports page shows it.
    file_size = models.BigIntegerField(_("file size"), null=True, blank=True)
    rows_written = models.IntegerField(_("rows written"), null=True, blank=True)
    # For operators (Django admin); the teacher reads a plain "it failed".
    error = models.TextField(_("error"), blank=True, default="", db_default="")
    created_at = created_at_field(null=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        db_table = "submission_exports"
        verbose_name = _("submission export")
        verbose_name_plural = _("submission exports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=ExportFormat.values),
                name="submission_exports_format_check",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ExportStatus.values),
                name="submission_exports_status_check",
            ),
            models.CheckConstraint(
                condition=~Q(status=ExportStatus.READY) | ~Q(file_path=""),
                name="submission_exports_ready_has_file",
            ),
            # One waiting or running export per person, journey and format: a
            # second click (or two at once) finds the first instead of queueing.
            models.UniqueConstraint(
                fields=["journey", "requested_by", "format"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="submission_exports_one_active",
            ),
        ]
        indexes = [
            # The exports page: a journey's newest first (keyset on created_at, id).
            models.Index(
                fields=["journey", "-created_at", "-id"], name="submission_exports_recent"
            ),
            # Beat's clean-up: what has expired.
            models.Index(fields=["expires_at"], name="submission_exports_expires"),
        ]

    def __str__(self) -> str:
        return f"{self.journey_id} {self.format} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_ready(self) -> bool:
        return self.status == ExportStatus.READY
