"""Celery tasks of the missions app; Celery's autodiscovery imports this module.

All three run from beat (``CELERY_BEAT_SCHEDULE`` in sqeeze/settings.py) and are
thin wrappers: the work and its rules are in missions/services.py (statuses) and
missions/notices.py (notices and reminders).
"""

from __future__ import annotations

from celery import shared_task

from core import tenancy
from missions.notices import deadline_reminders_send, new_mission_notices_send
from missions.services import mission_statuses_sync


@shared_task(name="missions.sync_mission_statuses", ignore_result=True)
@tenancy.run_in(tenancy.SYSTEM)
def sync_mission_statuses() -> dict[str, int]:
    return mission_statuses_sync()


@shared_task(name="missions.send_new_mission_notices", ignore_result=True)
@tenancy.run_in(tenancy.SYSTEM)
def send_new_mission_notices() -> int:
    return new_mission_notices_send()


@shared_task(name="missions.send_deadline_reminders", ignore_result=True)
@tenancy.run_in(tenancy.SYSTEM)
def send_deadline_reminders() -> int:
    return deadline_reminders_send()
