"""Celery tasks of the people app; Celery's autodiscovery imports this module."""

from __future__ import annotations

from celery import shared_task

from core import tenancy
from people.invitations import student_import_run


# The name predates the people app; kept so messages already queued still run.
@shared_task(name="accounts.run_student_import", ignore_result=True)
def run_student_import(import_id: str) -> None:
    """Create the students of a confirmed CSV import (``people.imports``), in
    the context of the import's academy; an import deleted meanwhile is skipped."""
    academy = tenancy.academy_of_row("student_imports", import_id)
    if academy is None:
        return
    with tenancy.use(tenancy.for_academy(academy)):
        student_import_run(import_id=import_id)
