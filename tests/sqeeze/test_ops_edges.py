"""Operations' small sharp edges, each checked on a real process: Celery beat
opens its schedule wherever it is started, ``manage.py vapid_keys`` prints keys
without a database, errors reach Sentry when ``SENTRY_DSN`` is set, and logs
are JSON lines when asked.

Settings are read once per process, so every check that needs other settings
runs its own child process, with a real broker, a real HTTP endpoint or a
listening socket, as production would."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import gzip
import http.server
import importlib
import json
import logging
import os
import shelve
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings

from sqeeze.logging import JsonFormatter
from tests.sqeeze.real_processes import REPO, wait_until

PYTHON = sys.executable
CELERY = str(Path(sys.executable).with_name("celery"))
SECRET = "test-only-not-a-secret"


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a production-like child: no DEBUG, no .env, only what
    is said here (so a developer's shell cannot change what the test checks)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "LOG_FORMAT", "LOG_LEVEL", "SENTRY_DSN", "SQEEZE_EMBEDDED_DIR")
        and not key.startswith(("DATABASE_", "REDIS_", "CELERY_", "VAPID_"))
    }
    env.update(SQEEZE_ENV_FILE="/dev/null", SECRET_KEY=SECRET, PYTHONUNBUFFERED="1", **extra)
    return env


def closed_port_url(scheme: str) -> str:
    """A URL at a loopback port nobody listens on: any use of it fails at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"{scheme}://nobody@127.0.0.1:{port}/nothing"


# --- Celery beat's schedule file -------------------------------------------------------


def run_beat(env: dict[str, str], cwd: Path, schedule: Path) -> str:
    """Start ``celery -A sqeeze beat`` (the machine's Redis as broker) in ``cwd``,
    wait until it runs and has written its schedule (files named ``schedule``'s
    name and more), stop it as a supervisor does (SIGTERM); its log (stderr).

    Beat logs "Starting..." before it sets its schedule up, and "Ticking with
    max interval" (debug) once it is: stopped in between, on a slow machine,
    it had merged only some of our entries into the file."""
    out, err = cwd / "beat.out", cwd / "beat.err"
    with out.open("w") as stdout, err.open("w") as stderr:
        beat = subprocess.Popen(
            [CELERY, "-A", "sqeeze", "beat", "-l", "debug"],
            cwd=cwd,
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
    try:

        def started() -> bool:
            assert beat.poll() is None, f"beat exited ({beat.returncode}):\n{err.read_text()}"
            written = list(schedule.parent.glob(f"{schedule.name}*"))
            return bool(written) and "beat: Ticking with max interval" in err.read_text()

        wait_until(started, 60, "celery beat to start and write its schedule")
    finally:
        beat.send_signal(signal.SIGTERM)
        beat.wait(timeout=30)
    log = err.read_text()
    assert beat.returncode == 0, log
    assert "Traceback" not in log and "beat raised exception" not in log, log
    return log


def assert_schedule_kept(schedule: Path) -> None:
    """The file is beat's shelve, holding our periodic tasks' last runs."""
    with shelve.open(str(schedule), flag="r") as kept:
        entries = kept["entries"]
    assert set(settings.CELERY_BEAT_SCHEDULE) <= set(entries)


@pytest.fixture
def beat_env():
    def make(**extra: str) -> dict[str, str]:
        # Beat talks to the broker only: a database nobody serves proves it needs none.
        return child_env(
            REDIS_URL=settings.REDIS_URL,
            CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
            DATABASE_URL=closed_port_url("postgres"),
            **extra,
        )

    return make


def test_beat_starts_in_a_fresh_checkout_from_any_directory(embedded_dir, tmp_path, beat_env):
    """No ``.embedded/`` (the data stores are configured, nothing embedded ever
    started), beat started from elsewhere: it keeps its schedule in the
    temporary dir and makes nothing in the checkout. Asked for JSON logs, its
    log lines are JSON too (Celery keeps our handler instead of its text format)."""
    elsewhere, temporary = tmp_path / "elsewhere", tmp_path / "tmp"
    elsewhere.mkdir()
    temporary.mkdir()
    assert not embedded_dir.exists()

    log = run_beat(
        beat_env(SQEEZE_EMBEDDED_DIR=str(embedded_dir), TMPDIR=str(temporary), LOG_FORMAT="json"),
        cwd=elsewhere,
        schedule=temporary / "sqeeze-",
    )

    [name] = {path.name.split(".")[0] for path in temporary.glob("sqeeze-*-celerybeat-schedule*")}
    assert_schedule_kept(temporary / name)
    assert not embedded_dir.exists()
    assert not list(elsewhere.glob("celerybeat-schedule*"))  # not the working directory's
    records = [json.loads(line) for line in log.splitlines() if line.strip()]
    assert {"logger": "celery.beat", "message": "beat: Starting..."} in [
        {"logger": record["logger"], "message": record["message"]} for record in records
    ]


def test_beat_keeps_its_schedule_beside_the_embedded_servers_data(embedded_dir, tmp_path, beat_env):
    """As under ``make run``: the embedded servers' folder exists, and the
    schedule lives there (``make clean-embedded`` forgets it with them)."""
    embedded_dir.mkdir(parents=True)

    run_beat(
        beat_env(SQEEZE_EMBEDDED_DIR=str(embedded_dir)),
        cwd=tmp_path,
        schedule=embedded_dir / "celerybeat-schedule",
    )

    assert_schedule_kept(embedded_dir / "celerybeat-schedule")


def test_a_configured_schedule_file_gets_its_folder_and_a_relative_one_is_the_cwds(tmp_path):
    code = "from django.conf import settings; print(settings.CELERY_BEAT_SCHEDULE_FILENAME)"
    env = child_env(
        DATABASE_URL=closed_port_url("postgres"),
        REDIS_URL=closed_port_url("redis"),
        DJANGO_SETTINGS_MODULE="sqeeze.settings",
        CELERY_BEAT_SCHEDULE_FILENAME="state/beat/schedule",
    )
    result = subprocess.run(
        [PYTHON, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "state" / "beat" / "schedule")
    assert (tmp_path / "state" / "beat").is_dir()


# --- manage.py vapid_keys ------------------------------------------------------------


@contextlib.contextmanager
def listening_socket():
    """A loopback port that accepts connections and never answers: whoever
    connects is seen (``connected()``), and would wait for ever."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)

    def connected() -> bool:
        try:
            client, _ = server.accept()
        except BlockingIOError:
            return False
        client.close()
        return True

    try:
        yield server.getsockname()[1], connected
    finally:
        server.close()


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_vapid_keys_prints_a_pair_without_debug_or_a_database(embedded_dir, tmp_path):
    """Production settings (DEBUG unset), from another directory: the keys come
    without a connection to the database or Redis, and no embedded server starts."""
    with listening_socket() as (db_port, db_used), listening_socket() as (redis_port, redis_used):
        result = subprocess.run(
            [PYTHON, str(REPO / "manage.py"), "vapid_keys"],
            cwd=tmp_path,
            env=child_env(
                DATABASE_URL=f"postgres://postgres@127.0.0.1:{db_port}/sqeeze",
                REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
                SQEEZE_EMBEDDED_DIR=str(embedded_dir),
            ),
            capture_output=True,
            text=True,
            timeout=60,  # a connection to either socket would hang: this ends the test
        )
        assert not db_used() and not redis_used()

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split("=", 1)[0] for line in lines] == ["VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY"]
    keys = dict(line.split("=", 1) for line in lines)
    public, private = b64url(keys["VAPID_PUBLIC_KEY"]), b64url(keys["VAPID_PRIVATE_KEY"])
    assert len(public) == 65 and public[0] == 4 and len(private) == 32
    derived = ec.derive_private_key(int.from_bytes(private, "big"), ec.SECP256R1())
    assert derived.public_key().public_numbers() == (
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public).public_numbers()
    )
    assert not embedded_dir.exists()  # nothing embedded started, nothing made


# --- Sentry ------------------------------------------------------------------------


class SentryIngest(http.server.ThreadingHTTPServer):
    """A Sentry ingest endpoint on loopback: keeps every envelope POSTed to it."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _EnvelopeHandler)
        self.envelopes: list[tuple[str, bytes]] = []

    def events(self) -> list[dict]:
        """The error events among the envelopes' items."""
        found = []
        for _path, body in self.envelopes:
            for line in body.splitlines():
                with contextlib.suppress(ValueError):
                    item = json.loads(line)
                    if isinstance(item, dict) and "exception" in item:
                        found.append(item)
        return found


class _EnvelopeHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            # The SDK compresses with brotli only when brotli is installed here.
            body = importlib.import_module("brotli").decompress(body)
        self.server.envelopes.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format, *args):
        pass


@pytest.fixture
def sentry_ingest():
    server = SentryIngest()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


# A real WSGI server (the handler gunicorn calls) answers one request that fails;
# then a Celery task fails; then the client is flushed.
SENTRY_CHILD = """
import threading, urllib.error, urllib.request
from wsgiref.simple_server import WSGIRequestHandler, make_server

import django, sentry_sdk
django.setup()
from celery import shared_task
from django.core.wsgi import get_wsgi_application
from django.test import override_settings

class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass

with override_settings(ROOT_URLCONF="tests.sqeeze.error_urls"):
    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=Quiet)
    threading.Thread(target=server.handle_request).start()
    request = urllib.request.Request(
        f"http://localhost:{server.server_port}/test-errors/500/",
        # Not Django's session cookie: reading a session would need the database.
        headers={"Cookie": "remember=a-students-cookie"},
    )
    try:
        status = urllib.request.urlopen(request, timeout=30).status
    except urllib.error.HTTPError as error:
        status = error.code

@shared_task(name="tests.sentry_task_error")
def task_error():
    raise ValueError("a test of task errors")

task_error.apply()
sentry_sdk.flush(timeout=10)
print(status, " ".join(sorted(sentry_sdk.get_client().integrations)))
"""


def test_errors_of_views_and_tasks_reach_sentry_without_personal_data(sentry_ingest):
    port = sentry_ingest.server_address[1]
    result = subprocess.run(
        [PYTHON, "-c", SENTRY_CHILD],
        cwd=REPO,
        env=child_env(
            DJANGO_SETTINGS_MODULE="sqeeze.settings",
            DATABASE_URL=closed_port_url("postgres"),  # the 500 page needs no database
            REDIS_URL=settings.REDIS_URL,
            SENTRY_DSN=f"http://publickey@127.0.0.1:{port}/42",
            SENTRY_ENVIRONMENT="staging",
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    status, integrations = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "500"
    assert {"django", "celery"} <= set(integrations.split())
    assert {path for path, _ in sentry_ingest.envelopes} == {"/api/42/envelope/"}
    by_error = {
        (value["type"], value["value"]): event
        for event in sentry_ingest.events()
        for value in event["exception"]["values"]
    }
    view = by_error[("RuntimeError", "a test of the 500 page")]
    assert view["environment"] == "staging"
    assert view["request"]["method"] == "GET"
    assert view["request"]["url"].endswith("/test-errors/500/")
    task = by_error[("ValueError", "a test of task errors")]
    assert task["environment"] == "staging" and task["transaction"] == "tests.sentry_task_error"
    # A school's errors must not carry its people: no cookie (the header is sent
    # blanked), no address, no one.
    assert "REMOTE_ADDR" not in view["request"].get("env", {})
    assert not view.get("user")
    assert b"a-students-cookie" not in b"".join(body for _, body in sentry_ingest.envelopes)


def test_without_a_dsn_sentry_is_not_even_imported():
    code = "import sys, django; django.setup(); print('sentry_sdk' in sys.modules)"
    result = subprocess.run(
        [PYTHON, "-c", code],
        cwd=REPO,
        env=child_env(
            DJANGO_SETTINGS_MODULE="sqeeze.settings",
            DATABASE_URL=closed_port_url("postgres"),
            REDIS_URL=closed_port_url("redis"),
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False"]


# --- logs ------------------------------------------------------------------------------

LOG_CHILD = """
import logging, django
django.setup()
from django.test import Client, override_settings

logging.getLogger("sqeeze.ops").warning("캐시 %s", "warm")
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("sqeeze.ops").exception("it broke")
from django.conf import settings
# The 500 page links static files: a clean checkout has no collected manifest.
plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
with override_settings(
    ROOT_URLCONF="tests.sqeeze.error_urls",
    STORAGES={**settings.STORAGES, "staticfiles": plain_static},
):
    Client(raise_request_exception=False, HTTP_HOST="localhost").get(
        "/test-errors/500/?token=secret", HTTP_X_REQUEST_ID="req-42"
    )
"""


def run_log_child(static_root: Path, **extra: str) -> subprocess.CompletedProcess:
    """The child with an empty, existing STATIC_ROOT: a clean checkout has
    none collected, and WhiteNoise would warn of the missing folder."""
    return subprocess.run(
        [PYTHON, "-c", LOG_CHILD],
        cwd=REPO,
        env=child_env(
            DJANGO_SETTINGS_MODULE="sqeeze.settings",
            DATABASE_URL=closed_port_url("postgres"),
            REDIS_URL=settings.REDIS_URL,
            STATIC_ROOT=str(static_root),
            **extra,
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_log_format_json_writes_one_json_object_per_line(tmp_path):
    before = time.time()
    result = run_log_child(tmp_path, LOG_FORMAT="json")

    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines()]  # every line is JSON
    by_message = {record["message"]: record for record in records}
    warning = by_message["캐시 warm"]
    assert {"level": "WARNING", "logger": "sqeeze.ops"}.items() <= warning.items()
    assert "exception" not in warning
    moment = warning["time"]
    assert moment.endswith("Z")  # UTC, ISO 8601
    assert before - 1 <= _parse_utc(moment) <= time.time() + 1
    broke = by_message["it broke"]
    assert broke["level"] == "ERROR"
    assert broke["exception"].startswith("Traceback") and "ZeroDivisionError" in broke["exception"]
    request = by_message["Internal Server Error: /test-errors/500/"]
    assert {
        "logger": "django.request",
        "method": "GET",
        "path": "/test-errors/500/",
        "status": 500,
        "request_id": "req-42",
    }.items() <= request.items()
    assert "RuntimeError: a test of the 500 page" in request["exception"]
    assert "secret" not in result.stderr  # the path, never the query string


def test_logs_stay_plain_text_by_default(tmp_path):
    result = run_log_child(tmp_path)

    assert result.returncode == 0, result.stderr
    assert "캐시 warm" in result.stderr.splitlines()
    assert "Traceback (most recent call last):" in result.stderr
    assert not result.stderr.lstrip().startswith("{")


def test_an_unknown_log_format_is_refused_at_start(tmp_path):
    result = run_log_child(tmp_path, LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "LOG_FORMAT must be text or json" in result.stderr


def test_the_json_formatter_keeps_a_record_on_one_line():
    record = logging.LogRecord(
        "sqeeze.ops", logging.INFO, __file__, 1, "two\nlines and %s", ("an arg",), None
    )
    record.request = socket.socket()  # django.server passes its socket: no request fields
    record.request.close()

    line = JsonFormatter().format(record)

    assert "\n" not in line
    assert json.loads(line)["message"] == "two\nlines and an arg"
    assert "path" not in json.loads(line)


def _parse_utc(moment: str) -> float:
    return dt.datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp()


def test_vapid_keys_needs_no_secret_and_starts_no_embedded_server(embedded_dir, tmp_path):
    """A bare machine: no SECRET_KEY, no DEBUG, no DATABASE_URL or REDIS_URL
    (which would start the embedded servers for anything else)."""
    env = child_env(SQEEZE_EMBEDDED_DIR=str(embedded_dir))
    del env["SECRET_KEY"]
    result = subprocess.run(
        [PYTHON, str(REPO / "manage.py"), "vapid_keys"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert [line.split("=", 1)[0] for line in result.stdout.splitlines()] == [
        "VAPID_PUBLIC_KEY",
        "VAPID_PRIVATE_KEY",
    ]
    assert not (embedded_dir / "postgres").exists() and not (embedded_dir / "redis").exists()


def test_without_a_secret_key_production_still_refuses_anything_else(tmp_path):
    env = child_env(DATABASE_URL=closed_port_url("postgres"), REDIS_URL=closed_port_url("redis"))
    del env["SECRET_KEY"]
    result = subprocess.run(
        [PYTHON, str(REPO / "manage.py"), "check"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
