"""The Celery task that delivers the e-mail queue (``notifications.email_delivery``).

Queued after every commit that adds mail, and by beat every minute
(``CELERY_BEAT_SCHEDULE["drain-email-queue"]``) so nothing waits on a lost message.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

from core import tenancy
from notifications.email_delivery import email_queue_drain

logger = logging.getLogger(__name__)


@shared_task(name="notifications.drain_email_queue", ignore_result=True)
@tenancy.run_in(tenancy.SYSTEM)
def drain_email_queue() -> dict[str, int]:
    result = email_queue_drain()
    if result.batch_full:
        # A backlog: keep going now instead of one batch per beat interval.
        # Rows are claimed with SKIP LOCKED, so overlapping drains are safe.
        drain_email_queue.delay()
    return {"sent": result.sent, "retried": result.retried, "failed": result.failed}


def drain_on_commit() -> None:
    """Ask a worker to drain the queue once the current transaction commits."""
    transaction.on_commit(_queue_drain_task)


def _queue_drain_task() -> None:
    try:
        drain_email_queue.delay()
    except Exception:
        # The rows are committed; beat drains the queue every minute anyway.
        # An unreachable broker must not turn a sent form into an error page.
        logger.warning("Could not queue an e-mail drain; beat will send the mail", exc_info=True)
