"""The health check of core.postgresql: a reused connection is checked at the
start of each request without a round trip, and one that PostgreSQL ended is
replaced."""

from __future__ import annotations

import socket
import time

import psycopg
import pytest
from django.db import connection, connections

from core.postgresql import base
from tests.core.test_row_level_security import runtime_connection


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def refuse_queries(monkeypatch) -> None:
    """Any statement on the connection's own psycopg connection fails the test."""

    def refused(*args, **kwargs):
        raise AssertionError("the health check sent a statement")

    monkeypatch.setattr(connection.connection, "cursor", refused)
    monkeypatch.setattr(connection.connection, "execute", refused)


@pytest.mark.django_db(transaction=True)
def test_an_idle_healthy_connection_is_usable_without_a_round_trip(monkeypatch):
    backend_pid()  # connected, idle between two requests
    refuse_queries(monkeypatch)
    assert connection.is_usable()


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_ended_is_replaced_at_the_next_request():
    ended = backend_pid()
    with runtime_connection() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [ended])
    # The server's goodbye reaches the socket within moments.
    deadline = time.monotonic() + 5
    while connection.is_usable() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not connection.is_usable()

    # What Django does at a request's start (close_old_connections, then the
    # first query): the check closes the dead connection, a new one serves.
    connection.close_if_unusable_or_obsolete()
    assert backend_pid() != ended


@pytest.mark.django_db(transaction=True)
def test_a_closed_connection_is_not_usable():
    backend_pid()
    connection.connection.close()
    assert not connection.is_usable()
    connection.close()


@pytest.mark.django_db
def test_inside_a_transaction_the_check_is_djangos_own_query():
    """A connection in a transaction (a test's, here) is asked with SELECT 1,
    as Django asks: it answers, and the transaction goes on."""
    backend_pid()
    assert connection.connection.pgconn.transaction_status == psycopg.pq.TransactionStatus.INTRANS
    assert connection.is_usable()
    assert backend_pid()


def test_anything_waiting_on_the_socket_counts_as_unusable():
    """The server has nothing to say to an idle connection: whatever is
    waiting (a goodbye, the end of the stream) means it is gone."""
    reader, writer = socket.socketpair()
    try:
        assert not base._has_something_to_read(reader.fileno())
        writer.sendall(b"E")
        assert base._has_something_to_read(reader.fileno())
        writer.close()
        reader.recv(1)
        assert base._has_something_to_read(reader.fileno())  # end of the stream
    finally:
        reader.close()


def test_the_app_connects_through_this_backend():
    assert isinstance(connections["default"], base.DatabaseWrapper)
