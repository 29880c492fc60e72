"""Business inquiries (the public consultation form) and bug reports."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.db import DatabaseNow, TextLineField, created_at_field, updated_at_field, uuid_pk
from files.links import display_url

# Limits of what people type: a few paragraphs fit, a pasted document does not.
NAME_MAX_LENGTH = 100
ANSWER_MAX_LENGTH = 2000  # each answer of the inquiry form
NOTES_MAX_LENGTH = 10_000  # the operators' notes on an inquiry
TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5000
BUG_ANSWER_MAX_LENGTH = 5000
PAGE_URL_MAX_LENGTH = 2000
USER_AGENT_MAX_LENGTH = 500


class InquiryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PROCESSING = "processing", _("Processing")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# The workflow: nothing goes back to "pending"; a closed inquiry is reopened as
# "processing" (an operator who closed it by mistake, or a second call).
INQUIRY_TRANSITIONS: dict[str, frozenset[str]] = {
    InquiryStatus.PENDING: frozenset(
        {InquiryStatus.PROCESSING, InquiryStatus.COMPLETED, InquiryStatus.CANCELLED}
    ),
    InquiryStatus.PROCESSING: frozenset({InquiryStatus.COMPLETED, InquiryStatus.CANCELLED}),
    InquiryStatus.COMPLETED: frozenset({InquiryStatus.PROCESSING}),
    InquiryStatus.CANCELLED: frozenset({InquiryStatus.PROCESSING}),
}


def inquiry_sources(target: str) -> set[str]:
    """The statuses an inquiry may move to ``target`` from."""
    return {source for source, targets in INQUIRY_TRANSITIONS.items() if target in targets}


class InquiryQuerySet(models.QuerySet):
    def movable_to(self, target: str) -> InquiryQuerySet:
        """The rows whose status may move to ``target`` (a seed row without a
        status counts as pending)."""
        sources = inquiry_sources(target)
        condition = Q(status__in=sources)
        if InquiryStatus.PENDING in sources:
            condition |= Q(status__isnull=True)
        return self.filter(condition)


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
    # Additions (migration 0002): proof of consent, and when the workflow last moved.
    privacy_agreed_at = models.DateTimeField(
        _("privacy consent given at"),
        null=True,
        blank=True,
        editable=False,
        db_comment="개인정보 수집·이용 동의 시각 (동의 항목 이전의 행은 비어 있음)",
    )
    status_changed_at = models.DateTimeField(
        _("status changed at"),
        null=True,
        blank=True,
        editable=False,
        db_comment="상담 처리 상태가 마지막으로 바뀐 시각",
    )

    objects = InquiryQuerySet.as_manager()

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


class BugReportSeverity(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class BugReportQuerySet(models.QuerySet):
    def reported_by(self, user) -> BugReportQuerySet:
        """The reports ``user`` wrote: the only ones they see outside Django admin."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user_id=user.pk)

    def manageable_by(self, user) -> BugReportQuerySet:
        """The reports whose status ``user`` may change: every report for a platform
        operator, the reports of their own academy's people for an academy admin."""
        if not (getattr(user, "is_authenticated", False) and user.is_active):
            return self.none()
        if user.is_superuser:
            return self
        if user.role == Role.ADMIN and user.organization_id is not None:
            return self.filter(user__organization_id=user.organization_id)
        return self.none()


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
    # Additions (migration 0002): what the seed lacks for triage and for answering.
    severity = TextLineField(
        _("severity"),
        choices=BugReportSeverity.choices,
        default=BugReportSeverity.NORMAL,
        db_default=BugReportSeverity.NORMAL,
        db_comment="심각도: low, normal, high, critical (신고자가 고름)",
    )
    page_url = models.TextField(
        _("page"),
        null=True,
        blank=True,
        db_comment="신고할 때 보고 있던 이 사이트의 경로 (다른 사이트 주소는 저장하지 않음)",
    )
    user_agent = models.TextField(
        _("browser"),
        null=True,
        blank=True,
        db_comment="신고할 때의 브라우저 User-Agent (최대 500자)",
    )
    answer = models.TextField(
        _("answer to the reporter"),
        null=True,
        blank=True,
        db_comment="운영자가 신고자에게 남긴 답변 (신고자가 자기 신고 화면에서 봄)",
    )
    answered_at = models.DateTimeField(
        _("answered at"),
        null=True,
        blank=True,
        editable=False,
        db_comment="답변이 마지막으로 바뀐 시각",
    )
    status_changed_at = models.DateTimeField(
        _("status changed at"),
        null=True,
        blank=True,
        editable=False,
        db_comment="처리 상태가 마지막으로 바뀐 시각",
    )

    objects = BugReportQuerySet.as_manager()

    class Meta:
        db_table = "bug_reports"
        verbose_name = _("bug report")
        verbose_name_plural = _("bug reports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=BugReportStatus.values), name="bug_reports_status_check"
            ),
            models.CheckConstraint(
                condition=Q(severity__in=BugReportSeverity.values),
                name="bug_reports_severity_check",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def attachment_url(self) -> str | None:
        """The screenshot's address (the access-checked download view for the stored
        file), else the legacy ``file_url`` (http(s) or a site path only).
        Lists: ``select_related("attachment_file")``."""
        return display_url(self.attachment_file, self.file_url)
