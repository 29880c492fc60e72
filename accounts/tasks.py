"""Celery tasks of the accounts app; Celery's autodiscovery imports this module."""

from __future__ import annotations

from celery import shared_task

from accounts.imports import student_import_run


@shared_task(name="accounts.run_student_import", ignore_result=True)
def run_student_import(import_id: str) -> None:
    """Create the students of a confirmed CSV import (``accounts.imports``)."""
    student_import_run(import_id=import_id)
