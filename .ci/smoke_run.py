"""Start `make run` from this checkout like a person would, then check that
/healthz answers 200, the demo student can log in, and Ctrl-C stops every
process it started (web, worker, beat, embedded PostgreSQL and Redis)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
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


def log_in_as_demo_student() -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{BASE}/accounts/login/", timeout=10) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not token:
        fail("no CSRF token on the log-in page")
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "login": "student@sqeeze.test",
            "password": "sqeeze-demo",
        }
    ).encode()
    request = urllib.request.Request(
        f"{BASE}/accounts/login/", data=form, headers={"Referer": f"{BASE}/accounts/login/"}
    )
    with opener.open(request, timeout=10) as response:
        landed = response.geturl()
        page = response.read().decode()
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
    # A session of its own: the signal below reaches make and the launcher
    # together, exactly like Ctrl-C in a terminal.
    process = subprocess.Popen(["make", "run"], cwd=ROOT, env=env, start_new_session=True)
    try:
        wait_for_health(process)
        state = json.loads(STATE_FILE.read_text())
        log_in_as_demo_student()
    except BaseException:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=STOP_TIMEOUT)
        raise
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
