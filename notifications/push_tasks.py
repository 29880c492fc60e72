"""The web push task: thin, takes ids, retries only the browsers that failed.

Queued by ``push_services.push_queue``; each browser is one ``push_deliver``
call (``push_delivery``). The task name ``notifications.send_push`` is what the
broker's messages carry: it must not change.
"""

from __future__ import annotations

import logging

from celery import shared_task

from core import tenancy
from notifications.push_delivery import (
    PUSH_MAX_RETRIES,
    PushOutcome,
    push_deliver,
    push_retry_delay,
    push_subscription_ids,
)

logger = logging.getLogger(__name__)


@shared_task(name="notifications.send_push", bind=True, max_retries=PUSH_MAX_RETRIES)
@tenancy.run_in(tenancy.SYSTEM)
def send_push(
    self, notification_id: str, subscription_ids: list[str] | None = None
) -> dict[str, int]:
    """Push one notification to its receiver's browsers (all of them, or the
    ``subscription_ids`` a previous attempt could not reach)."""
    if subscription_ids is None:
        subscription_ids = push_subscription_ids(notification_id=notification_id)
    counts = {outcome.value: 0 for outcome in PushOutcome}
    again: list[str] = []
    retry_after = 0
    for subscription_id in subscription_ids:
        result = push_deliver(subscription_id=subscription_id, notification_id=notification_id)
        counts[result.outcome.value] += 1
        if result.outcome is PushOutcome.RETRY:
            again.append(subscription_id)
            retry_after = max(retry_after, result.retry_after or 0)
    if again:
        if self.request.retries >= self.max_retries:
            logger.warning(
                "Giving up pushing notification %s to %d browser(s) after %d retries.",
                notification_id,
                len(again),
                self.request.retries,
            )
            return counts
        raise self.retry(
            args=[notification_id],
            kwargs={"subscription_ids": again},
            countdown=push_retry_delay(retries=self.request.retries, retry_after=retry_after),
        )
    return counts
