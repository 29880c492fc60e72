"""Admin for business inquiries (platform operators only) and bug reports.

Inquiries belong to no academy: only platform operators (active superusers) see
them. They move pending → processing → completed | cancelled (a closed one
reopens as processing), with notes; an export gives the selected rows as a CSV
that Excel opens (Korean intact, formulas neutralised).

Bug reports: operators triage every report (status, severity, an answer to the
reporter). An academy admin sees the reports of their own academy's people and
may change their status only: they can fix what is the academy's to fix (a
missing enrolment, a wrong role) and say so by resolving it, while the answer
stays the Sqeeze team's word. They may open the screenshot too, as they may
every private file of their academy's people (files/access.py): it shows their
academy's pages, and they are the ones who handle it for the academy. Every
change goes through ``inquiries.services``, which notifies the reporter.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin_scoping import (
    SuperuserOnlyAdmin,
    TenantScopedAdmin,
    is_platform_operator,
    related_only,
)
from core.spreadsheet import UTF8_BOM, spreadsheet_text
from files.links import file_url
from inquiries import services
from inquiries.models import (
    BUG_ANSWER_MAX_LENGTH,
    INQUIRY_TRANSITIONS,
    NOTES_MAX_LENGTH,
    BugReport,
    BugReportSeverity,
    BugReportStatus,
    Inquiry,
    InquiryStatus,
)

# --- inquiries ------------------------------------------------------------------------


class InquiryAdminForm(forms.ModelForm):
    # The seed lets status be NULL; a saved inquiry always has one.
    status = forms.ChoiceField(label=_("Status"), choices=InquiryStatus.choices)
    notes = forms.CharField(
        label=_("Admin notes"),
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    class Meta:
        model = Inquiry
        fields = (
            "name",
            "phone",
            "status",
            "automation_needs",
            "current_tools",
            "tool_issues",
            "notes",
        )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "status" in self.fields:
            # Offer only the moves the workflow allows from where it stands.
            current = self.instance.status or InquiryStatus.PENDING
            allowed = {current, *INQUIRY_TRANSITIONS[current]}
            self.fields["status"].choices = [
                (value, label) for value, label in InquiryStatus.choices if value in allowed
            ]
            self.initial["status"] = current


def inquiry_status_action(status: InquiryStatus) -> Callable:
    """An admin action that moves the selected inquiries to ``status``, where the
    workflow allows it."""

    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        selected = queryset.count()
        moved = services.inquiries_status_set(inquiries=queryset, status=status, by=request.user)
        message = ngettext(
            "%(count)d inquiry set to “%(status)s”.",
            "%(count)d inquiries set to “%(status)s”.",
            moved,
        ) % {"count": moved, "status": status.label}
        modeladmin.message_user(request, message, messages.SUCCESS)
        if selected > moved:
            skipped = selected - moved
            warning = ngettext(
                "%(count)d inquiry was left as it was: it is there already, or cannot move "
                "there from its status (nothing goes back to pending).",
                "%(count)d inquiries were left as they were: they are there already, or "
                "cannot move there from their status (nothing goes back to pending).",
                skipped,
            ) % {"count": skipped}
            modeladmin.message_user(request, warning, messages.WARNING)

    action.__name__ = f"set_status_{status.value}"
    return admin.action(
        description=format_lazy(_("Set status: {status}"), status=status.label),
        permissions=("change",),
    )(action)


INQUIRY_CSV_COLUMNS = (
    _("Received"),
    _("Status"),
    _("Name"),
    _("Phone"),
    _("What to automate"),
    _("Tools in use"),
    _("Problems with those tools"),
    _("Admin notes"),
    _("Privacy consent given"),
    _("Status changed"),
)


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def inquiries_csv(queryset: QuerySet[Inquiry]) -> str:
    """The inquiries as CSV text for a spreadsheet: a UTF-8 byte order mark first,
    times in the current zone, and every cell safe from formula injection."""
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    writer = csv.writer(buffer)
    writer.writerow([str(column) for column in INQUIRY_CSV_COLUMNS])
    for inquiry in queryset.order_by("-created_at", "-id").iterator():
        status = InquiryStatus(inquiry.status or InquiryStatus.PENDING).label
        row = (
            _local(inquiry.created_at),
            status,
            inquiry.name,
            inquiry.phone,
            inquiry.automation_needs,
            inquiry.current_tools,
            inquiry.tool_issues,
            inquiry.notes,
            _local(inquiry.privacy_agreed_at),
            _local(inquiry.status_changed_at),
        )
        writer.writerow([spreadsheet_text(value) for value in row])
    return buffer.getvalue()


@admin.action(description=_("Export selected inquiries as CSV (Excel)"), permissions=("view",))
def export_inquiries_csv(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> HttpResponse:
    response = HttpResponse(inquiries_csv(queryset), content_type="text/csv; charset=utf-8")
    filename = f"inquiries-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.register(Inquiry)
class InquiryAdmin(SuperuserOnlyAdmin):
    form = InquiryAdminForm
    list_display = ("name", "phone", "status", "created_at", "status_changed_at")
    list_filter = ("status",)
    search_fields = ("name", "phone", "automation_needs", "notes")
    date_hierarchy = "created_at"
    actions = [
        *(
            inquiry_status_action(status)
            for status in (
                InquiryStatus.PROCESSING,
                InquiryStatus.COMPLETED,
                InquiryStatus.CANCELLED,
            )
        ),
        export_inquiries_csv,
    ]
    fieldsets = (
        (None, {"fields": ("name", "phone", "status")}),
        (_("Request"), {"fields": ("automation_needs", "current_tools", "tool_issues")}),
        (
            _("Handling"),
            {
                "fields": (
                    "notes",
                    "created_at",
                    "status_changed_at",
                    "updated_at",
                    "privacy_agreed_at",
                )
            },
        ),
    )
    TIMESTAMPS = ("created_at", "status_changed_at", "updated_at", "privacy_agreed_at")
    # What the visitor wrote stays as they wrote it.
    REQUEST_FIELDS = ("name", "phone", "automation_needs", "current_tools", "tool_issues")

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return self.TIMESTAMPS  # an inquiry taken by phone, typed in by an operator
        return self.REQUEST_FIELDS + self.TIMESTAMPS

    def save_model(self, request: HttpRequest, obj: Inquiry, form, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        saved = services.inquiry_update(
            inquiry=obj, status=obj.status, notes=obj.notes, by=request.user
        )
        obj.status, obj.notes = saved.status, saved.notes
        obj.status_changed_at, obj.updated_at = saved.status_changed_at, saved.updated_at


# --- bug reports ----------------------------------------------------------------------


class BugReportAdminForm(forms.ModelForm):
    status = forms.ChoiceField(label=_("Status"), choices=BugReportStatus.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=BugReportSeverity.choices)
    answer = forms.CharField(
        label=_("Answer to the reporter"),
        required=False,
        max_length=BUG_ANSWER_MAX_LENGTH,
        help_text=_("Shown on the reporter's report page; they are notified when it changes."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    class Meta:
        model = BugReport
        fields = ("user", "title", "description", "attachment_file", "status", "severity", "answer")


def bug_status_action(status: BugReportStatus) -> Callable:
    """An admin action that moves the selected reports to ``status``; their
    reporters are notified by a task after the commit."""

    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        moved = services.bug_reports_status_set(reports=queryset, status=status, by=request.user)
        message = ngettext(
            "%(count)d report set to “%(status)s”; its reporter will be notified.",
            "%(count)d reports set to “%(status)s”; their reporters will be notified.",
            moved,
        ) % {"count": moved, "status": status.label}
        modeladmin.message_user(request, message, messages.SUCCESS)

    action.__name__ = f"set_status_{status.value}"
    return admin.action(
        description=format_lazy(_("Set status: {status}"), status=status.label),
        permissions=("change",),
    )(action)


@admin.register(BugReport)
class BugReportAdmin(TenantScopedAdmin):
    organization_path = "user__organization"
    form = BugReportAdminForm
    list_display = ("title", "user", "academy", "severity", "status", "answered", "created_at")
    list_filter = ("status", "severity", related_only("user__organization"))
    list_select_related = ("user__organization",)
    search_fields = ("title", "description", "user__email")
    autocomplete_fields = ("user", "attachment_file")
    date_hierarchy = "created_at"
    actions = [bug_status_action(status) for status in BugReportStatus]
    REPORT_FIELDS = ("user", "title", "description", "screenshot", "page_url", "user_agent")
    TIMESTAMPS = ("created_at", "status_changed_at", "answered_at", "updated_at")

    def get_fieldsets(self, request: HttpRequest, obj=None):
        if obj is None:  # an operator files a report for someone
            return (
                (None, {"fields": ("user", "title", "description", "attachment_file")}),
                (_("Triage"), {"fields": ("severity", "status", "answer")}),
            )
        return (
            (_("Report"), {"fields": self.REPORT_FIELDS}),
            (_("Triage"), {"fields": ("status", "severity", "answer")}),
            (_("Dates"), {"fields": self.TIMESTAMPS}),
        )

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return self.TIMESTAMPS
        readonly = self.REPORT_FIELDS + self.TIMESTAMPS
        if not is_platform_operator(request):
            readonly += ("severity", "answer")
        return readonly

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_platform_operator(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_platform_operator(request)

    @admin.display(description=_("academy"), ordering="user__organization__name")
    def academy(self, report: BugReport) -> str:
        return report.user.organization.name if report.user.organization_id else "—"

    @admin.display(description=_("answered"), boolean=True)
    def answered(self, report: BugReport) -> bool:
        return bool(report.answer)

    @admin.display(description=_("screenshot"))
    def screenshot(self, report: BugReport) -> str:
        file = report.attachment_file
        if file is None or file.is_deleted:
            return "—"
        url = file_url(file)
        return format_html(
            '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="{}" width="320"></a>',
            url,
            url,
            gettext("Screenshot"),
        )

    def save_model(self, request: HttpRequest, obj: BugReport, form, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        saved = services.bug_report_update(
            report=obj,
            status=obj.status,
            answer=obj.answer,
            severity=obj.severity if is_platform_operator(request) else None,
            by=request.user,
        )
        for field in ("status", "severity", "answer", "answered_at", "status_changed_at"):
            setattr(obj, field, getattr(saved, field))
