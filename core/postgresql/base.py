"""Django's PostgreSQL backend with a health check that costs no round trip.

With ``CONN_HEALTH_CHECKS`` Django checks a reused connection at the start of
each request before its first query, by sending ``SELECT 1``: a round trip on
every request, about a tenth of a millisecond of the server's and the worker's
CPU time (README "Performance"). The question it asks can be answered without
the server: a connection that PostgreSQL ended while it sat idle (a restart, a
crash, ``pg_terminate_backend``, ``idle_session_timeout``) has the server's
goodbye or the end of the stream waiting on its socket, and a healthy idle
connection has nothing to read. So the check of an idle connection looks at the
socket (``poll``, no wait): something to read counts as unusable, and Django
opens a new connection (a harmless extra one at worst, after a configuration
reload's notice). A connection in any other state (inside a transaction) is
checked as Django does. One that died silently (a network cut) goes unnoticed
by both checks until a query fails, as before.

``settings.DATABASES`` names this backend as ``core.postgresql``.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        driver = self.connection
        if driver is None or driver.closed or driver.broken:
            return False
        pgconn = driver.pgconn
        if pgconn.status != pq.ConnStatus.OK:
            return False
        if pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return super().is_usable()
        return not _has_something_to_read(pgconn.socket)


def _has_something_to_read(socket: int) -> bool:
    """Whether the server sent anything (or closed the stream) since the
    connection last waited for an answer. ``poll``, not ``select``: no limit
    on the descriptor's number."""
    poller = select.poll()
    poller.register(socket, select.POLLIN | select.POLLPRI)
    try:
        return bool(poller.poll(0))
    except OSError:
        return True
