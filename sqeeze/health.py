"""Health checks for ``GET /healthz``: can we reach the database and the broker?"""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connections

CHECK_TIMEOUT_SECONDS = 3


def database_connection():
    return connections["default"]


def check_database(connection) -> str | None:
    """Return ``None`` when the database answers, else a short reason."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return type(error).__name__
    return None


def check_broker(broker_url: str | None = None) -> str | None:
    """Return ``None`` when the Celery broker accepts a connection, else a reason."""
    from kombu import Connection

    url = broker_url or settings.CELERY_BROKER_URL
    try:
        with Connection(url, connect_timeout=CHECK_TIMEOUT_SECONDS) as connection:
            connection.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)
    except Exception as error:  # kombu raises transport-specific errors
        return type(error).__name__
    return None
