"""Two drainers at once never send the same row (SELECT … FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from notifications.email_delivery import DrainResult, email_queue_drain
from notifications.models import EmailQueue
from tests.notifications.smtp_server import smtp_delivery_fixture, smtp_server_fixture  # noqa: F401

ROWS = 300


@pytest.mark.django_db(transaction=True)
def test_two_drainers_deliver_every_row_exactly_once(smtp_delivery):
    EmailQueue.objects.bulk_create(
        EmailQueue(
            recipient_email=f"person{n}@example.test",
            subject=f"Row {n}",
            content=f"Body {n}",
            from_email="no-reply@sqeeze.test",
        )
        for n in range(ROWS)
    )
    start = threading.Barrier(2)
    results: dict[str, DrainResult] = {}
    errors: list[BaseException] = []

    def drain(name: str) -> None:
        try:
            start.wait(timeout=10)
            # Each thread has its own database connection, as two workers would.
            results[name] = email_queue_drain(batch_size=ROWS * 2)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=drain, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert not any(thread.is_alive() for thread in threads)
    assert sum(result.sent for result in results.values()) == ROWS
    # Both really worked side by side; otherwise this proves nothing.
    assert all(result.sent > 0 for result in results.values()), results
    received = smtp_delivery.wait_for(ROWS)
    subjects = Counter(email.message["Subject"] for email in received)
    assert len(received) == ROWS
    assert subjects == Counter(f"Row {n}" for n in range(ROWS))
    assert EmailQueue.objects.pending().count() == 0
    assert EmailQueue.objects.sent().count() == ROWS
