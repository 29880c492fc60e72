"""The central ``files`` table and the ``active_files`` / ``file_stats`` views."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.db import PostgresEnumField, TextLineField, created_at_field, updated_at_field
from files.links import file_url
from files.types import FileType

__all__ = ["ActiveFile", "File", "FileColumns", "FileStat", "FileType"]


class FileColumns(models.Model):
    """The columns of ``files``, shared by the table and the ``active_files`` view."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(
        "accounts.Profile",
        on_delete=models.PROTECT,
        related_name="%(class)s_set",
        verbose_name=_("uploaded by"),
    )
    file_name = TextLineField(_("original file name"))
    file_path = TextLineField(_("stored path"))
    file_size = models.BigIntegerField(_("size (bytes)"))
    mime_type = TextLineField(_("MIME type"))
    file_type = PostgresEnumField(_("kind"), enum_name="file_type", choices=FileType.choices)
    bucket_name = TextLineField(_("bucket"), default="images", db_default="images")
    is_deleted = models.BooleanField(_("deleted"), default=False, db_default=False)
    metadata = models.JSONField(_("metadata"), null=True, blank=True)
    created_at = created_at_field()
    updated_at = updated_at_field()
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.file_name

    @property
    def url(self) -> str:
        """Where this file is shown from (``files.links.file_url``)."""
        return file_url(self)


class File(FileColumns):
    class Meta:
        db_table = "files"
        verbose_name = _("file")
        verbose_name_plural = _("files")
        ordering = ["-created_at"]


class ActiveFile(FileColumns):
    """Read-only: the ``active_files`` view (files not soft-deleted)."""

    class Meta:
        managed = False
        db_table = "active_files"
        verbose_name = _("active file")
        verbose_name_plural = _("active files")
        ordering = ["-created_at"]


class FileStat(models.Model):
    """Read-only: the ``file_stats`` view, one row per file type and bucket."""

    # Django needs a primary key; the view has none, and this column is only
    # unique together with the bucket, so rows are read with .values().
    file_type = PostgresEnumField(
        _("kind"), enum_name="file_type", choices=FileType.choices, primary_key=True
    )
    bucket_name = TextLineField(_("bucket"))
    file_count = models.BigIntegerField(_("files"))
    total_size = models.DecimalField(_("total size (bytes)"), max_digits=30, decimal_places=0)
    avg_size = models.DecimalField(_("average size (bytes)"), max_digits=40, decimal_places=10)

    class Meta:
        managed = False
        db_table = "file_stats"
        verbose_name = _("file statistics")
        verbose_name_plural = _("file statistics")

    def __str__(self) -> str:
        return f"{self.file_type} / {self.bucket_name}"
