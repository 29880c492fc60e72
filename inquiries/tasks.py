"""Celery tasks of the inquiries app; Celery's autodiscovery imports this module."""

from __future__ import annotations

from celery import shared_task

from core import tenancy
from inquiries.notify import bug_reporters_notify, inquiry_operators_mail


@shared_task(name="inquiries.notify_operators_of_inquiry", ignore_result=True)
@tenancy.run_in(tenancy.SYSTEM)
def notify_operators_of_inquiry(inquiry_id: str) -> int:
    """E-mail the platform operators about a new inquiry (queued after its commit)."""
    return inquiry_operators_mail(inquiry_id=inquiry_id)


@shared_task(name="inquiries.notify_bug_reporters", ignore_result=True)
@tenancy.run_in(tenancy.SYSTEM)
def notify_bug_reporters(report_ids: list[str], by_id: str | None) -> int:
    """Notify the reporters of reports moved together by an admin action."""
    return bug_reporters_notify(report_ids=report_ids, by_id=by_id)
