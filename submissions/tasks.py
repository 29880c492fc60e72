"""Celery tasks of the submissions app; Celery's autodiscovery imports this module."""

from celery import shared_task

from core import tenancy
from submissions.digest import daily_digests_send
from submissions.export_files import (
    EXPORT_TIME_LIMIT_SECONDS,
    submission_export_build,
    submission_exports_expire,
)


# The name predates the submissions app; beat's schedule and queued messages use it.
@shared_task(name="notifications.send_daily_digests", ignore_result=True)
@tenancy.run_in(tenancy.SYSTEM)
def send_daily_digests() -> int:
    """Beat, every morning (CELERY_BEAT_SCHEDULE): the teachers' submissions digest."""
    return daily_digests_send()


# A time limit: a stuck export fails (the teacher may try again) instead of
# holding a worker; the soft one lets the task record the failure first.
@shared_task(
    name="submissions.build_export",
    ignore_result=True,
    soft_time_limit=EXPORT_TIME_LIMIT_SECONDS,
    time_limit=EXPORT_TIME_LIMIT_SECONDS + 60,
)
def build_export(export_id: str) -> str | None:
    """Write a requested export's file (``submissions.export_jobs`` queues it),
    in the context of the export's academy; an export deleted meanwhile is skipped."""
    academy = tenancy.academy_of_row("submission_exports", export_id)
    if academy is None:
        return None
    with tenancy.use(tenancy.for_academy(academy)):
        export = submission_export_build(export_id=export_id)
    return export.status if export is not None else None


@shared_task(name="submissions.expire_exports", ignore_result=True)
@tenancy.run_in(tenancy.SYSTEM)
def expire_exports() -> dict[str, int]:
    """Beat (CELERY_BEAT_SCHEDULE): delete expired exports and their files."""
    return submission_exports_expire()
