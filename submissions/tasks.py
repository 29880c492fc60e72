"""Celery tasks of the submissions app; Celery's autodiscovery imports this module."""

from celery import shared_task

from submissions.digest import daily_digests_send


# The name predates the submissions app; beat's schedule and queued messages use it.
@shared_task(name="notifications.send_daily_digests", ignore_result=True)
def send_daily_digests() -> int:
    """Beat, every morning (CELERY_BEAT_SCHEDULE): the teachers' submissions digest."""
    return daily_digests_send()
