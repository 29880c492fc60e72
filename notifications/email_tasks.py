"""The Celery task that delivers the e-mail queue (``notifications.email_delivery``).

Queued after every commit that adds mail, and by beat every minute
(``CELERY_BEAT_SCHEDULE["drain-email-queue"]``) so nothing waits on a lost message.
"""

from __future__ import annotations

from celery import shared_task

from notifications.email_delivery import email_queue_drain


@shared_task(name="notifications.drain_email_queue", ignore_result=True)
def drain_email_queue() -> dict[str, int]:
    result = email_queue_drain()
    if result.batch_full:
        # A backlog: keep going now instead of one batch per beat interval.
        # Rows are claimed with SKIP LOCKED, so overlapping drains are safe.
        drain_email_queue.delay()
    return {"sent": result.sent, "retried": result.retried, "failed": result.failed}
