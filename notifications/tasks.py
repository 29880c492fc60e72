"""Celery tasks of the notifications app; Celery's autodiscovery imports this module."""

from notifications.email_tasks import drain_email_queue  # noqa: F401
from notifications.fan_out_tasks import fan_out_notifications, fan_out_pending  # noqa: F401
from notifications.push_tasks import send_push  # noqa: F401
