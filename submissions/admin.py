"""Admin for submission exports: a read-only record of who asked for which
file and how it went (an operator's view of a failure's error text)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from core.admin_scoping import TenantScopedAdmin, related_only
from submissions.export_files import submission_export_delete
from submissions.models import SubmissionExport


@admin.register(SubmissionExport)
class SubmissionExportAdmin(TenantScopedAdmin):
    organization_path = "journey__organization"
    list_display = (
        "journey",
        "format",
        "status",
        "requested_by",
        "rows_written",
        "size",
        "created_at",
        "finished_at",
        "expires_at",
    )
    list_filter = ("status", "format", related_only("journey"))
    list_select_related = ("journey", "requested_by")
    search_fields = ("journey__name", "requested_by__email", "error")
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "journey",
        "requested_by",
        "format",
        "language",
        "status",
        "rows_written",
        "file_path",
        "file_size",
        "error",
        "created_at",
        "started_at",
        "finished_at",
        "expires_at",
    )

    @admin.display(description=_("size"), ordering="file_size")
    def size(self, export: SubmissionExport) -> str:
        return filesizeformat(export.file_size) if export.file_size is not None else ""

    # Exports are asked for on the journey's exports page and written by a
    # worker; a row made or edited by hand would have no file behind it.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # View permission alone: Django shows every field read-only, without Save.
        return False

    # Deleting one takes its file too (it would otherwise stay in the storage).
    def delete_model(self, request: HttpRequest, obj: SubmissionExport) -> None:
        submission_export_delete(export_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for pk in queryset.values_list("pk", flat=True):
            submission_export_delete(export_id=pk)
