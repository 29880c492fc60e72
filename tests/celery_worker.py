"""A real Celery worker process for tests that need one (not eager).

The worker runs this checkout's code against the test database and the broker
this test process uses; only its queue is private (a unique name), so a worker
of another test run on the same broker never takes our task, nor ours theirs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings as django_settings
from django.db import connection
from kombu import Exchange, Queue
from psycopg import pq

from sqeeze.celery import app as celery_app


def database_url(*, owner: bool = False) -> str:
    """The test database as a DATABASE_URL (django-environ), socket or TCP: as
    the runtime role, or with ``owner`` as the tables' owner (DATABASE_OWNER_URL).

    django-environ keeps a socket directory (``?host=/dir``) in OPTIONS, not HOST.
    """
    db = connection.settings_dict
    role = django_settings.DATABASE_OWNER if owner else db
    user = quote(role["USER"] or "", safe="")
    password = f":{quote(role['PASSWORD'], safe='')}" if role["PASSWORD"] else ""
    name = quote(db["NAME"], safe="")
    # Only libpq's own options go in the URL: the others (server-side binding,
    # the prepare threshold) are Django's and psycopg's, which settings set anyway.
    libpq_keywords = {option.keyword.decode() for option in pq.Conninfo.get_defaults()}
    options = {
        key: str(value) for key, value in (db.get("OPTIONS") or {}).items() if key in libpq_keywords
    }
    host = db["HOST"] or ""
    if host.startswith("/"):
        options["host"], host = host, ""
    port = f":{db['PORT']}" if db["PORT"] and host else ""
    query = f"?{urlencode(options, safe='/')}" if options else ""
    return f"postgres://{user}{password}@{host}{port}/{name}{query}"


@contextlib.contextmanager
def private_queue(task_name: str, prefix: str) -> Iterator[str]:
    """Route ``task_name`` to a queue of this test's own for as long as it runs;
    leave nothing behind on the broker afterwards (the queue and its binding)."""
    name = f"sqeeze-test-{prefix}-{uuid.uuid4().hex[:12]}"
    previous = celery_app.conf.task_routes
    celery_app.conf.update(task_routes={task_name: {"queue": name}})
    try:
        yield name
    finally:
        celery_app.conf.update(task_routes=previous)
        with celery_app.connection_for_write() as broker:
            queue = Queue(name, Exchange(name, type="direct"), routing_key=name)
            bound = queue(broker.default_channel)
            bound.declare()
            bound.delete()


def start_worker(queue: str, log: Path, **environment: str) -> subprocess.Popen:
    """A worker process taking tasks from ``queue`` only, its output in ``log``;
    ``environment`` adds to (or overrides) what it is given."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sqeeze.settings",
        "DATABASE_URL": database_url(),
        "DB_CONN_MAX_AGE": "0",
        "REDIS_URL": django_settings.CACHES["default"]["LOCATION"],
        "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DEBUG": "true",
        **environment,
    }
    command = [
        sys.executable, "-m", "celery", "-A", "sqeeze", "worker",
        "--pool", "solo", "--concurrency", "1", "-l", "WARNING",
        "-Q", queue, "-n", f"{queue}@%h",
        # Nothing to say to other workers; mingle alone costs seconds at start.
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    with log.open("wb") as output:
        return subprocess.Popen(
            command, cwd=django_settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)  # warm shutdown: finish the task in hand
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=15)
