"""Writes of the inquiries app: business inquiries (public) and bug reports.

An inquiry is stored and the platform operators are told by e-mail; the mail is
written by a Celery task after the commit, so a visitor's request costs the same
few queries however many operators there are. A bug report is stored with its
screenshot (a private file); when an operator or the reporter's academy admin
moves it, its reporter is notified.
"""

from __future__ import annotations

import logging
import unicodedata

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Profile
from core import tenancy
from core.text import printable_line
from files.services import file_upload
from inquiries import tasks
from inquiries.models import (
    ANSWER_MAX_LENGTH,
    BUG_ANSWER_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    INQUIRY_TRANSITIONS,
    NAME_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    PAGE_URL_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    USER_AGENT_MAX_LENGTH,
    BugReport,
    BugReportSeverity,
    BugReportStatus,
    Inquiry,
    InquiryStatus,
)
from inquiries.notify import bug_report_notify

logger = logging.getLogger(__name__)

SCREENSHOT_PURPOSE = "bug_screenshot"


def _text(value: str | None, *, field: str, max_length: int, required: bool = False) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(_("%(field)s is required.") % {"field": field})
    if len(text) > max_length:
        raise ValidationError(
            _("%(field)s may be at most %(max)d characters long.")
            % {"field": field, "max": max_length}
        )
    return text or None


def _queue_after_commit(task, *args: object) -> None:
    def send() -> None:
        try:
            task.delay(*args)
        except Exception:
            # The row is committed; a broker that is down must not turn a sent
            # form into an error page. The row is in Django admin all the same.
            logger.exception("Could not queue %s%r", task.name, args)

    transaction.on_commit(send)


# --- inquiries ------------------------------------------------------------------------


def inquiry_submit(
    *,
    name: str,
    phone: str,
    automation_needs: str,
    current_tools: str | None,
    tool_issues: str | None,
    privacy_agreed: bool,
) -> Inquiry:
    """Store a business inquiry (status pending) with the moment consent was given,
    and queue the e-mail to the platform operators for after the commit."""
    if not privacy_agreed:
        raise ValidationError(_("Please agree to the collection of your details."))
    fields = {
        "name": _text(name, field=_("Name"), max_length=NAME_MAX_LENGTH, required=True),
        "phone": _text(phone, field=_("Phone"), max_length=32, required=True),
        "automation_needs": _text(
            automation_needs,
            field=_("What to automate"),
            max_length=ANSWER_MAX_LENGTH,
            required=True,
        ),
        "current_tools": _text(current_tools, field=_("Tools"), max_length=ANSWER_MAX_LENGTH),
        "tool_issues": _text(tool_issues, field=_("Problems"), max_length=ANSWER_MAX_LENGTH),
    }
    # Inquiries are the platform's (Row Level Security): a visitor hands one over
    # and cannot read it back.
    with transaction.atomic(), tenancy.use(tenancy.SYSTEM):
        inquiry = Inquiry.objects.create(
            **fields, status=InquiryStatus.PENDING, privacy_agreed_at=timezone.now()
        )
        _queue_after_commit(tasks.notify_operators_of_inquiry, str(inquiry.pk))
    return inquiry


def _require_operator(by: Profile) -> None:
    if not (by.is_active and by.is_superuser):
        raise PermissionDenied(_("Only the Sqeeze team handles inquiries."))


def inquiry_update(*, inquiry: Inquiry, status: str, notes: str | None, by: Profile) -> Inquiry:
    """An operator moves an inquiry along its workflow (pending → processing →
    completed | cancelled; a closed one reopens as processing) and keeps notes.
    A move the workflow does not allow raises ValidationError; nothing changes."""
    _require_operator(by)
    if status not in InquiryStatus.values:
        raise ValidationError(_("Choose a valid status."))
    notes = _text(notes, field=_("Notes"), max_length=NOTES_MAX_LENGTH)
    with transaction.atomic():
        locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        current = locked.status or InquiryStatus.PENDING
        fields = ["notes", "updated_at"]
        if status != current:
            if status not in INQUIRY_TRANSITIONS[current]:
                raise ValidationError(inquiry_transition_refusal(current, status))
            locked.status = status
            locked.status_changed_at = timezone.now()
            fields += ["status", "status_changed_at"]
        locked.notes = notes
        locked.save(update_fields=fields)
    return locked


def inquiry_transition_refusal(current: str, target: str) -> str:
    return _("An inquiry cannot go from “%(current)s” to “%(target)s”.") % {
        "current": InquiryStatus(current).label,
        "target": InquiryStatus(target).label,
    }


def inquiries_status_set(*, inquiries: QuerySet[Inquiry], status: str, by: Profile) -> int:
    """Move every inquiry of ``inquiries`` that the workflow allows to ``status``
    (one UPDATE); returns how many moved. The others stay as they are."""
    _require_operator(by)
    if status not in InquiryStatus.values:
        raise ValidationError(_("Choose a valid status."))
    now = timezone.now()
    with transaction.atomic():
        return (
            Inquiry.objects.filter(pk__in=inquiries.values("pk"))
            .movable_to(status)
            .update(status=status, status_changed_at=now, updated_at=now)
        )


# --- bug reports ----------------------------------------------------------------------


def same_site_path(value: str | None) -> str | None:
    """``value`` when it is a path on this site ("/journeys/…?tab=feed"), else None:
    another site's address, "//host", a backslash (read as "/" by browsers),
    control characters or an overlong value are not stored at all."""
    if not value:
        return None
    value = value.strip()
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if len(value) > PAGE_URL_MAX_LENGTH:
        return None
    if any(char.isspace() or unicodedata.category(char) == "Cc" for char in value):
        return None
    return value


def bug_report_create(
    *,
    reporter: Profile,
    title: str,
    description: str | None,
    severity: str,
    screenshot: UploadedFile | None,
    page_url: str | None,
    user_agent: str | None,
) -> BugReport:
    """Store a bug report from ``reporter`` (status open). The screenshot goes
    through the files service as a private file (``FileRejected`` when it is not an
    image or too large, and nothing is stored); ``page_url`` is kept only when it
    is a path of this site, ``user_agent`` trimmed."""
    if not (reporter.is_authenticated and reporter.is_active):
        raise PermissionDenied(_("Log in to report a problem."))
    title = _text(title, field=_("Title"), max_length=TITLE_MAX_LENGTH, required=True)
    description = _text(description, field=_("Description"), max_length=DESCRIPTION_MAX_LENGTH)
    if severity not in BugReportSeverity.values:
        raise ValidationError(_("Choose how bad the problem is."))
    # Checked before the upload so a refused report leaves no stray file; the
    # upload itself runs outside the transaction (it talks to the storage).
    stored = None
    if screenshot is not None:
        stored = file_upload(
            uploader=reporter, uploaded_file=screenshot, purpose=SCREENSHOT_PURPOSE
        ).file
    with transaction.atomic():
        return BugReport.objects.create(
            user=reporter,
            title=" ".join(title.split()),
            description=description,
            severity=severity,
            attachment_file=stored,
            page_url=same_site_path(page_url),
            user_agent=printable_line(user_agent, max_length=USER_AGENT_MAX_LENGTH) or None,
            status=BugReportStatus.OPEN,
        )


def bug_report_update(
    *,
    report: BugReport,
    status: str,
    answer: str | None,
    by: Profile,
    severity: str | None = None,
) -> BugReport:
    """Triage a report: its status, the answer to the reporter and (operators)
    its severity. The reporter gets one notification when the status or the
    answer changed. Platform operators may change everything; an academy admin
    only the status of their own academy's people's reports (PermissionDenied
    otherwise); another academy's report is not found."""
    if status not in BugReportStatus.values:
        raise ValidationError(_("Choose a valid status."))
    if severity is not None and severity not in BugReportSeverity.values:
        raise ValidationError(_("Choose how bad the problem is."))
    answer = _text(answer, field=_("Answer"), max_length=BUG_ANSWER_MAX_LENGTH)
    with transaction.atomic():
        try:
            locked = (
                BugReport.objects.manageable_by(by)
                .select_for_update(of=("self",))
                .select_related("user")
                .get(pk=report.pk)
            )
        except BugReport.DoesNotExist:
            raise PermissionDenied(_("You cannot change this report.")) from None
        answer_changed = answer != (locked.answer or None)
        severity_changed = severity is not None and severity != locked.severity
        if (answer_changed or severity_changed) and not by.is_superuser:
            raise PermissionDenied(_("Only the Sqeeze team answers reports."))
        status_changed = status != locked.status
        now = timezone.now()
        fields = ["updated_at"]
        if status_changed:
            locked.status, locked.status_changed_at = status, now
            fields += ["status", "status_changed_at"]
        if answer_changed:
            locked.answer, locked.answered_at = answer, now
            fields += ["answer", "answered_at"]
        if severity_changed:
            locked.severity = severity
            fields.append("severity")
        if len(fields) > 1:
            locked.save(update_fields=fields)
        if status_changed or answer_changed:
            bug_report_notify(
                report=locked, by=by, status_changed=status_changed, answered=answer_changed
            )
    return locked


def bug_reports_status_set(*, reports: QuerySet[BugReport], status: str, by: Profile) -> int:
    """Move many reports to ``status`` at once (an admin action): one UPDATE, and
    one task after the commit notifies their reporters, so the request does not
    grow with the number of people told. Reports ``by`` may not manage, or that
    already have the status, are left alone. Returns how many moved."""
    if status not in BugReportStatus.values:
        raise ValidationError(_("Choose a valid status."))
    now = timezone.now()
    with transaction.atomic():
        moving = (
            BugReport.objects.manageable_by(by)
            .filter(pk__in=reports.values("pk"))
            .exclude(status=status)
            .select_for_update(of=("self",))
        )
        ids = [str(pk) for pk in moving.values_list("pk", flat=True)]
        if not ids:
            return 0
        BugReport.objects.filter(pk__in=ids).update(
            status=status, status_changed_at=now, updated_at=now
        )
        _queue_after_commit(tasks.notify_bug_reporters, ids, str(by.pk))
    return len(ids)
