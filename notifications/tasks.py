"""Celery tasks of the notifications app; Celery's autodiscovery imports this module."""

from celery import shared_task

from notifications.digest import daily_digests_send
from notifications.email_tasks import drain_email_queue  # noqa: F401
from notifications.push_tasks import send_push  # noqa: F401


@shared_task(name="notifications.send_daily_digests", ignore_result=True)
def send_daily_digests() -> int:
    """Beat, every morning (CELERY_BEAT_SCHEDULE): the teachers' submissions digest."""
    return daily_digests_send()
