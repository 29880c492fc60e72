"""The Celery tasks of the fan-out (``notifications.fan_out``): thin, by id.

``fan_out_on_commit`` is what ``notifications_send`` calls: the task is queued
once the write commits, so a rolled-back change e-mails nobody. The task names
are what the broker's messages and beat's schedule carry: they must not change.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from celery import shared_task
from django.db import transaction

from core import tenancy
from notifications.fan_out import notifications_fan_out, notifications_pending

logger = logging.getLogger(__name__)


@shared_task(name="notifications.fan_out", ignore_result=True)
@tenancy.run_in(tenancy.SYSTEM)
def fan_out_notifications(notification_ids: list[str]) -> int:
    return notifications_fan_out(notification_ids=notification_ids)


@shared_task(name="notifications.fan_out_pending", ignore_result=True)
@tenancy.run_in(tenancy.SYSTEM)
def fan_out_pending() -> int:
    """Beat, every minute: rows a lost task message left behind."""
    return notifications_fan_out(notification_ids=notifications_pending())


def fan_out_on_commit(notification_ids: Sequence[str]) -> None:
    """Queue the fan-out of these rows once the current transaction commits."""
    ids = list(notification_ids)
    if ids:
        transaction.on_commit(lambda: _queue(ids))


def _queue(ids: list[str]) -> None:
    try:
        fan_out_notifications.delay(ids)
    except Exception:
        # The rows are committed; beat's sweep fans them out within minutes.
        # An unreachable broker must not turn a sent form into an error page.
        logger.warning("Could not queue a fan-out; beat will send it", exc_info=True)
