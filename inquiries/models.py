"""Business inquiries (the public consultation form) and bug reports."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from files.links import display_url
from sqeeze.db import DatabaseNow, TextLineField, created_at_field, updated_at_field, uuid_pk


class InquiryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PROCESSING = "processing", _("Processing")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Inquiry(models.Model):
    # The seed's COMMENT clauses become PostgreSQL column and table comments.
    id = uuid_pk()
    name = TextLineField(_("name"), db_comment="신청자 이름")
    phone = TextLineField(_("phone"), db_comment="신청자 전화번호")
    automation_needs = models.TextField(_("what to automate"), db_comment="자동화하고 싶은 내용")
    current_tools = models.TextField(
        _("tools in use"), null=True, blank=True, db_comment="현재 사용 중인 업무 툴"
    )
    tool_issues = models.TextField(
        _("problems with those tools"), null=True, blank=True, db_comment="사용 중인 툴의 문제점"
    )
    created_at = models.DateTimeField(
        _("created at"),
        db_default=DatabaseNow(),
        editable=False,
        db_comment="문의 생성 시각",
    )
    updated_at = models.DateTimeField(
        _("updated at"),
        db_default=DatabaseNow(),
        auto_now=True,
        editable=False,
        db_comment="문의 수정 시각",
    )
    status = TextLineField(
        _("status"),
        null=True,
        blank=True,
        choices=InquiryStatus.choices,
        default=InquiryStatus.PENDING,
        db_default=InquiryStatus.PENDING,
        db_comment="상담 처리 상태",
    )
    notes = models.TextField(_("admin notes"), null=True, blank=True, db_comment="관리자 메모")

    class Meta:
        db_table = "inquiry"
        db_table_comment = "학원 자동화 상담 신청 정보"
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=InquiryStatus.values), name="inquiry_status_check"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.created_at:%Y-%m-%d})" if self.created_at else self.name


class BugReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class BugReport(models.Model):
    id = uuid_pk()
    user = models.ForeignKey(
        "accounts.Profile",
        on_delete=models.PROTECT,
        related_name="bug_reports",
        verbose_name=_("reported by"),
    )
    title = TextLineField(_("title"))
    description = models.TextField(_("description"), null=True, blank=True)
    file_url = models.TextField(_("screenshot URL (legacy)"), null=True, blank=True)
    attachment_file = models.ForeignKey(
        "files.File",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("screenshot"),
    )
    status = TextLineField(
        _("status"),
        null=True,
        blank=True,
        choices=BugReportStatus.choices,
        default=BugReportStatus.OPEN,
        db_default=BugReportStatus.OPEN,
    )
    created_at = created_at_field()
    updated_at = updated_at_field()

    class Meta:
        db_table = "bug_reports"
        verbose_name = _("bug report")
        verbose_name_plural = _("bug reports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def attachment_url(self) -> str | None:
        """The screenshot's address (the access-checked download view for the stored
        file), else the legacy ``file_url`` (http(s) or a site path only).
        Lists: ``select_related("attachment_file")``."""
        return display_url(self.attachment_file, self.file_url)
