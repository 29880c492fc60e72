"""Admin for the central files table and the file statistics page."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Sum
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.admin_scoping import TenantScopedAdmin, is_platform_operator, related_only
from files.models import ActiveFile, File, FileStat, FileType


@admin.register(File)
class FileAdmin(TenantScopedAdmin):
    """Every stored file, soft-deleted ones included (filter "deleted" to tell
    them apart; ``active_files`` is exactly the "No" side of that filter)."""

    organization_path = "user__organization"
    list_display = (
        "file_name",
        "file_type",
        "bucket_name",
        "size",
        "mime_type",
        "user",
        "is_deleted",
        "created_at",
    )
    list_filter = ("is_deleted", "file_type", "bucket_name", related_only("user__organization"))
    list_select_related = ("user",)
    search_fields = ("file_name", "file_path", "mime_type", "user__email")
    autocomplete_fields = ("user",)
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "created_at"

    @admin.display(description=_("size"), ordering="file_size")
    def size(self, file: File) -> str:
        return filesizeformat(file.file_size)

    # Files arrive only through the upload service (checked, re-encoded, stored);
    # a row added by hand would have no bytes behind it.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@dataclass(frozen=True)
class FileStatRow:
    file_type: str
    file_type_label: str
    bucket_name: str
    file_count: int
    total_size: int
    avg_size: Decimal


STAT_COLUMNS = ("file_type", "bucket_name", "file_count", "total_size", "avg_size")


def file_stat_rows(request: HttpRequest) -> list[FileStatRow]:
    """One row per file kind and bucket, soft-deleted files left out.

    The platform operator reads the seed's ``file_stats`` view as it is. The
    view has no owner column, so an organization admin gets the same
    aggregation over ``active_files`` limited to their organization's uploads.
    """
    if is_platform_operator(request):
        values = FileStat.objects.values(*STAT_COLUMNS)
    else:
        values = (
            ActiveFile.objects.filter(user__organization_id=request.user.organization_id)
            .values("file_type", "bucket_name")
            .annotate(
                file_count=Count("id"), total_size=Sum("file_size"), avg_size=Avg("file_size")
            )
        )
    return [
        FileStatRow(
            file_type=row["file_type"],
            file_type_label=FileType(row["file_type"]).label,
            bucket_name=row["bucket_name"],
            file_count=row["file_count"],
            total_size=int(row["total_size"] or 0),
            avg_size=Decimal(row["avg_size"] or 0).quantize(Decimal(1)),
        )
        for row in values.order_by("file_type", "bucket_name")
    ]


@admin.register(FileStat)
class FileStatAdmin(admin.ModelAdmin):
    """The ``file_stats`` view as a read-only table with totals.

    Its fake primary key (file kind) is not unique, so there are no object
    pages at all: only the list.
    """

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_changelist"
        return [path("", self.admin_site.admin_view(self.changelist_view), name=name)]

    def changelist_view(self, request: HttpRequest, extra_context=None) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = file_stat_rows(request)
        total_count = sum(row.file_count for row in rows)
        total_size = sum(row.total_size for row in rows)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": capfirst(self.opts.verbose_name_plural),
            "rows": rows,
            "total_count": total_count,
            "total_size": total_size,
            "total_avg_size": round(total_size / total_count) if total_count else 0,
            "scoped_to_organization": not is_platform_operator(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/files/filestat/statistics.html", context)
