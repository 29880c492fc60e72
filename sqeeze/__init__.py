"""Sqeeze project package: settings, URLs, the Celery app, embedded dev services."""

from sqeeze.celery import app as celery_app

__all__ = ["celery_app"]
