"""Admin for business inquiries (platform operator only) and bug reports."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet, TextChoices
from django.db.models.functions import Now
from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from inquiries.models import BugReport, BugReportStatus, Inquiry, InquiryStatus
from sqeeze.admin_scoping import SuperuserOnlyAdmin, TenantScopedAdmin


def set_status_action(status: TextChoices) -> Callable:
    """An admin action that moves the selected rows to ``status``."""

    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        count = queryset.update(status=status.value, updated_at=Now())
        message = ngettext(
            "%(count)d row set to “%(status)s”.", "%(count)d rows set to “%(status)s”.", count
        )
        modeladmin.message_user(
            request, message % {"count": count, "status": status.label}, messages.SUCCESS
        )

    action.__name__ = f"set_status_{status.value}"
    return admin.action(
        description=format_lazy(_("Set status: {status}"), status=status.label),
        permissions=("change",),
    )(action)


@admin.register(Inquiry)
class InquiryAdmin(SuperuserOnlyAdmin):
    list_display = ("name", "phone", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("name", "phone", "automation_needs", "notes")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "created_at"
    actions = [set_status_action(status) for status in InquiryStatus]
    fieldsets = (
        (None, {"fields": ("name", "phone", "status")}),
        (_("Request"), {"fields": ("automation_needs", "current_tools", "tool_issues")}),
        (_("Handling"), {"fields": ("notes", "created_at", "updated_at")}),
    )


@admin.register(BugReport)
class BugReportAdmin(TenantScopedAdmin):
    organization_path = "user__organization"
    list_display = ("title", "user", "status", "created_at")
    list_filter = ("status",)
    list_select_related = ("user",)
    search_fields = ("title", "description", "user__email")
    autocomplete_fields = ("user", "attachment_file")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "created_at"
    actions = [set_status_action(status) for status in BugReportStatus]
