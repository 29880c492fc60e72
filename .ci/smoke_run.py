"""Start `make run` from this checkout like a person would, then check that
/healthz answers 200, the demo student can log in, a password reset asked for
on the real page reaches the SMTP server named by EMAIL_URL through
email_queue (row marked processed), and Ctrl-C stops every process it started
(web, worker, beat, embedded PostgreSQL and Redis)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE_FILE = ROOT / ".embedded" / "run.json"
PORT = int(os.environ.get("SMOKE_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
START_TIMEOUT = 600  # a first run migrates and seeds a fresh database
STOP_TIMEOUT = 60


def fail(message: str) -> None:
    print(f"SMOKE FAILED: {message}", flush=True)
    raise SystemExit(1)


def wait_for_health(process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            fail(f"make run exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{BASE}/healthz", timeout=5) as response:
                body = json.load(response)
                if response.status == 200 and body.get("status") == "ok":
                    print(f"healthz: {body}", flush=True)
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            pass
        time.sleep(2)
    fail("/healthz did not answer 200 in time")


def submit_form(path: str, fields: dict[str, str]) -> tuple[str, str]:
    """GET a page, POST its form with the CSRF token; returns (final URL, page)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{BASE}{path}", timeout=10) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not token:
        fail(f"no CSRF token on {path}")
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **fields}).encode()
    request = urllib.request.Request(
        f"{BASE}{path}", data=form, headers={"Referer": f"{BASE}{path}"}
    )
    with opener.open(request, timeout=10) as response:
        return response.geturl(), response.read().decode()


class MailCatcher:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[list[str], str]] = []
        # aiosmtpd connects to its own port to see it is up, so it needs a real one.
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode(errors="replace")))
        return "250 Message accepted for delivery"

    def start(self) -> int:
        self.controller.start()
        return self.port

    def stop(self) -> None:
        self.controller.stop()


def password_reset_reaches_smtp(mail: MailCatcher, database_url: str) -> None:
    email = "student@sqeeze.test"
    landed, _ = submit_form("/accounts/password/reset/", {"email": email})
    if "/accounts/password/reset/done/" not in landed:
        fail(f"the password reset form did not accept {email} (landed on {landed})")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        for recipients, content in mail.messages:
            if email in recipients and "/accounts/password/reset/key/" in content:
                check_queue_row_processed(database_url, email)
                print("password reset mail delivered over SMTP through email_queue", flush=True)
                return
        time.sleep(1)
    fail("the password reset mail did not reach the SMTP server within 90 s")


def check_queue_row_processed(database_url: str, email: str) -> None:
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
        row = conn.execute(
            "SELECT processed, processed_at, status_code FROM email_queue"
            " WHERE recipient_email = %s ORDER BY id DESC LIMIT 1",
            [email],
        ).fetchone()
    if row is None or not row[0] or row[1] is None:
        fail(f"the email_queue row for {email} is not marked processed: {row}")


def log_in_as_demo_student() -> None:
    landed, page = submit_form(
        "/accounts/login/", {"login": "student@sqeeze.test", "password": "sqeeze-demo"}
    )
    if not landed.endswith("/home/") or "student@sqeeze.test" not in page:
        fail(f"the demo student could not log in (landed on {landed})")
    print("demo student logged in and reached /home/", flush=True)


def running(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    # a zombie has exited; only its parent has not collected it yet
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


def processes_in_groups(group_ids: set[int]) -> list[int]:
    """Live processes whose process group is one of ``group_ids`` (each child of the
    launcher leads its own group: runserver's reloader child, Celery's pool)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        state, group = fields[0], int(fields[2])
        if group in group_ids and state != "Z":
            found.append(int(stat.parent.name))
    return found


def main() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["PORT"] = str(PORT)
    mail = MailCatcher()
    env["EMAIL_URL"] = f"smtp://127.0.0.1:{mail.start()}"
    env["EMAIL_QUEUE_DRAIN_SECONDS"] = "10"
    # A session of its own: the signal below reaches make and the launcher
    # together, exactly like Ctrl-C in a terminal.
    process = subprocess.Popen(["make", "run"], cwd=ROOT, env=env, start_new_session=True)
    try:
        wait_for_health(process)
        state = json.loads(STATE_FILE.read_text())
        log_in_as_demo_student()
        # The queue is the platform's (Row Level Security): the owner looks.
        password_reset_reaches_smtp(mail, state["database_owner_url"])
    except BaseException:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=STOP_TIMEOUT)
        raise
    finally:
        mail.stop()
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        fail("make run did not stop within a minute of Ctrl-C")
    pids = {"launcher": state["launcher"], **state["children"], **state["servers"]}
    time.sleep(1)
    left = {name: pid for name, pid in pids.items() if running(pid)}
    if left:
        fail(f"processes still running after Ctrl-C: {left}")
    strays = processes_in_groups(set(state["children"].values()))
    if strays:
        fail(f"processes of the launcher's children still running: {strays}")
    print(f"make run stopped cleanly (exit {process.returncode}); stopped: {sorted(pids)}")


if __name__ == "__main__":
    main()
    sys.exit(0)
