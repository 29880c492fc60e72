"""Telling people: the platform operators about a new inquiry (by e-mail), and a
reporter about a change to their bug report (through ``notification_send``).

Kept apart from ``services`` because both the services and the Celery tasks
(which the services queue) call it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.text import Truncator, format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile
from core.links import absolute_url
from core.moments import in_person_terms, local_moment
from inquiries.models import BugReport, BugReportStatus, Inquiry
from notifications.services import notification_send

BUG_REPORT_NOTIFICATION = "bug_report_updated"


def platform_operators() -> Iterable[Profile]:
    """Everyone who runs the platform: active superusers with an address."""
    return (
        Profile.objects.filter(is_superuser=True, is_active=True)
        .exclude(email__isnull=True)
        .exclude(email="")
        .order_by("email")
    )


def inquiry_operators_mail(*, inquiry_id: str) -> int:
    """E-mail every platform operator about a new inquiry: who asked, what they
    want, and the admin page to handle it. Each mail is written in its reader's
    language and goes into the e-mail queue; returns how many were queued. An
    inquiry deleted meanwhile sends nothing."""
    inquiry = Inquiry.objects.filter(pk=inquiry_id).first()
    if inquiry is None:
        return 0
    admin_url = absolute_url(reverse("admin:inquiries_inquiry_change", args=[inquiry.pk]))
    mails = []
    for operator in platform_operators():
        context = {
            "inquiry": inquiry,
            "operator": operator,
            "admin_url": admin_url,
            "received_at": local_moment(inquiry.created_at, operator),
        }
        with in_person_terms(operator):
            subject = render_to_string("inquiries/email/inquiry_received.subject.txt", context)
            body = render_to_string("inquiries/email/inquiry_received.txt", context)
        mails.append(
            EmailMessage(
                # A subject is one line, whatever the visitor typed as a name.
                subject=" ".join(subject.split()),
                body=body,
                to=[operator.email],
                headers={"X-Sqeeze-Ref": str(inquiry.pk)},
            )
        )
    if not mails:
        return 0
    return get_connection().send_messages(mails) or 0


def bug_report_message(report: BugReport, *, status_changed: bool, answered: bool) -> Promise:
    """What the reporter reads, lazily translated into their language."""
    title = Truncator(report.title).chars(80)
    status = BugReportStatus(report.status or BugReportStatus.OPEN).label
    if status_changed and answered:
        return format_lazy(
            _("Your report “{title}” is now “{status}”, and the Sqeeze team answered it."),
            title=title,
            status=status,
        )
    if answered:
        return format_lazy(_("The Sqeeze team answered your report “{title}”."), title=title)
    return format_lazy(_("Your report “{title}” is now “{status}”."), title=title, status=status)


def bug_report_notify(
    *, report: BugReport, by: Profile | None, status_changed: bool, answered: bool
) -> None:
    """Notify a report's reporter (in-app, and e-mail or push as they chose) that
    its status changed or that it was answered."""
    notification_send(
        receiver=report.user,
        type=BUG_REPORT_NOTIFICATION,
        message=bug_report_message(report, status_changed=status_changed, answered=answered),
        link=reverse("inquiries:bug_detail", args=[report.pk]),
        actor=by,
        payload={"bug_report_id": str(report.pk), "status": report.status},
    )


def bug_reporters_notify(*, report_ids: list[str], by_id: str | None) -> int:
    """After a status change of many reports at once (the worker's side of
    ``bug_reports_status_set``): notify each reporter. Returns how many reports."""
    by = Profile.objects.filter(pk=by_id).first() if by_id else None
    reports = BugReport.objects.filter(pk__in=report_ids).select_related("user")
    count = 0
    for report in reports:
        bug_report_notify(report=report, by=by, status_changed=True, answered=False)
        count += 1
    return count
