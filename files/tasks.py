"""Celery tasks of the files app; Celery's autodiscovery imports this module.

``purge_deleted_files`` runs from beat (``CELERY_BEAT_SCHEDULE["purge-deleted-files"]``).
"""

from __future__ import annotations

from celery import shared_task

from core import tenancy
from files.services import file_purge_deleted


@shared_task(name="files.purge_deleted_files", ignore_result=True)
@tenancy.run_in(tenancy.SYSTEM)
def purge_deleted_files() -> int:
    return file_purge_deleted()
