"""The mail queue's throughput: ``count`` e-mails written into ``email_queue``
(as ``QueueEmailBackend`` writes them), one Celery worker draining the queue
(``notifications.drain_email_queue``, the production task) into an SMTP
server on loopback (aiosmtpd, which accepts everything), timed by that
server from the first e-mail it accepted to the last. The target is 200
e-mails a second.

The server's clock, not ``processed_at``: the drainer records its outcomes
once per chunk of rows (``notifications.email_delivery``), so the rows' times
say when a chunk was written, not when each e-mail went out.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
from aiosmtpd.controller import Controller

TARGET_PER_SECOND = 200

FILL_SQL = """
INSERT INTO email_queue (recipient_email, recipient_name, subject, content, html_content,
                         from_email, headers, created_at, processed, retry_count,
                         next_attempt_at)
SELECT p.email, p.last_name || p.first_name,
       '[Sqeeze] “미션 ' || (1 + mod(g, 32)) || '” 제출이 채점됐어요',
       p.last_name || p.first_name || ' 님, 안녕하세요.' || chr(10) || chr(10)
         || '“미션 ' || (1 + mod(g, 32)) || '” 제출이 채점됐어요: 달성, 10 PT.' || chr(10)
         || chr(10) || repeat('선생님의 피드백을 확인해 보세요. ', 12) || chr(10) || chr(10)
         || 'http://127.0.0.1:8000/journeys/' || gen_random_uuid() || '/posts/'
         || gen_random_uuid() || '/' || chr(10) || chr(10) || '— Sqeeze',
       '<!doctype html><html lang="ko"><body style="font-family:sans-serif">'
         || '<p>' || p.last_name || p.first_name || ' 님, 안녕하세요.</p>'
         || '<p>“미션 ' || (1 + mod(g, 32)) || '” 제출이 채점됐어요: '
         || '<strong>달성, 10 PT</strong>.</p>'
         || '<p>' || repeat('선생님의 피드백을 확인해 보세요. ', 12) || '</p>'
         || '<p><a href="http://127.0.0.1:8000/">Sqeeze에서 보기</a></p></body></html>',
       NULL, jsonb_build_object('Message-ID', '<bench-' || g || '@bench.sqeeze.test>'),
       now(), false, 0, now() + interval '1 hour'
FROM generate_series(1, %(count)s) AS g
JOIN (SELECT row_number() OVER (ORDER BY email) AS k, email, first_name, last_name
      FROM profiles WHERE role = 'user' AND deleted_at IS NULL) p
  ON p.k = 1 + mod(g, (SELECT count(*) FROM profiles WHERE role = 'user' AND deleted_at IS NULL))
"""


SUMMARY_SQL = """
SELECT extract(epoch FROM min(processed_at)), extract(epoch FROM max(processed_at)),
       count(*) FILTER (WHERE failed_at IS NULL), count(*) FILTER (WHERE failed_at IS NOT NULL)
FROM email_queue
"""


class CountingHandler:
    """aiosmtpd handler: accepts every e-mail, counts them and times the first and last."""

    def __init__(self) -> None:
        self.received = 0
        self.bytes = 0
        self.first: float | None = None
        self.last: float | None = None
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook)
        now = time.time()
        with self._lock:
            self.received += 1
            self.bytes += len(envelope.content or b"")
            if self.first is None:
                self.first = now
            self.last = now
        return "250 Message accepted for delivery"

    @property
    def seconds_first_to_last(self) -> float:
        if self.first is None or self.last is None:
            return 0.0
        return self.last - self.first


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _celery(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "celery", "-A", "sqeeze", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        **kwargs,
    )


def mail_bench(
    *,
    database_url: str,
    env: dict[str, str],
    count: int,
    concurrency: int,
    log_path: Path,
    log,
    timeout: float = 300.0,
) -> dict:
    with psycopg.connect(database_url, autocommit=True) as db:
        db.execute("DELETE FROM email_queue")
        # Written "due in an hour" so nothing drains them before the clock starts.
        db.execute(FILL_SQL, {"count": count})

    handler = CountingHandler()
    port = _free_port()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, server_hostname="smtp.bench", ready_timeout=10
    )
    controller.start()
    worker_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "sqeeze.settings",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
    }
    worker = None
    try:
        # Only this run's drains: no message left from an earlier run.
        _celery(worker_env, "purge", "-f")
        with open(log_path, "w") as worker_log:
            worker = subprocess.Popen(
                [
                    sys.executable, "-m", "celery", "-A", "sqeeze", "worker",
                    "--loglevel", "INFO", "--concurrency", str(concurrency),
                    "--without-gossip", "--without-mingle", "--hostname", "bench-mail@%h",
                ],
                env=worker_env, stdout=worker_log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        _wait_for(lambda: "ready." in log_path.read_text(), 60, "the Celery worker to start")
        with psycopg.connect(database_url, autocommit=True) as db:
            db.execute("UPDATE email_queue SET next_attempt_at = now() WHERE NOT processed")
            kicked = time.time()
            # One drain task: it sends a batch and queues the next while a batch is full.
            _celery(worker_env, "call", "notifications.drain_email_queue")

            def done() -> bool:
                row = db.execute("SELECT count(*) FROM email_queue WHERE NOT processed").fetchone()
                return row[0] == 0

            _wait_for(done, timeout, f"{count} e-mails to be sent", interval=0.2)
            first_in_db, last_in_db, sent, failed = db.execute(SUMMARY_SQL).fetchone()
    finally:
        if worker is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
        controller.stop()
    span = handler.seconds_first_to_last
    per_second = (handler.received - 1) / span if span > 0 else 0.0
    result = {
        "emails": count,
        "sent": sent,
        "failed": failed,
        "received_by_smtp": handler.received,
        "mean_bytes": round(handler.bytes / handler.received) if handler.received else 0,
        "seconds_first_to_last": round(span, 2),
        "seconds_first_to_last_in_db": round(float(last_in_db) - float(first_in_db), 2),
        "seconds_from_kick": round(float(last_in_db) - kicked, 2),
        "per_second": round(per_second, 1),
        "target_per_second": TARGET_PER_SECOND,
        "meets_target": per_second >= TARGET_PER_SECOND,
        "worker_concurrency": concurrency,
    }
    log(
        f"  mail: {sent:,} sent, {failed} failed, {handler.received:,} received, "
        f"{per_second:.0f} e-mails/s (target {TARGET_PER_SECOND}), one worker × {concurrency}"
    )
    return result


def _wait_for(condition, timeout: float, what: str, interval: float = 0.25) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise TimeoutError(f"Gave up waiting for {what} after {timeout:.0f} s.")
