"""`make run` after `make run` was killed with SIGKILL: what the dead launcher
left is stopped (its web server, worker and beat) or reused (the embedded
PostgreSQL and Redis), and Ctrl-C then stops everything, servers included.

The launchers run for real in child processes, with their embedded servers in
a data dir of their own; only the migrations and demo data are skipped (they
take a minute and are `make run`'s smoke test's business, .ci/smoke_run.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import psutil

from sqeeze import launcher
from tests.sqeeze.real_processes import (
    REPO,
    alive,
    child_env,
    free_port,
    port_answers,
    wait_until,
)

LAUNCHER_WITHOUT_DEMO_DATA = (
    "import sys; from sqeeze import launcher; "
    "launcher.Launcher.prepare_database = lambda self: None; "
    "sys.exit(launcher.main())"
)


def start_launcher(embedded_dir, port: int, log) -> subprocess.Popen:
    env = child_env(
        embedded_dir, PORT=str(port), VAPID_PUBLIC_KEY="public", VAPID_PRIVATE_KEY="private"
    )
    # A session of its own, like a terminal's: its signals reach no test process.
    return subprocess.Popen(
        [sys.executable, "-c", LAUNCHER_WITHOUT_DEMO_DATA],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def wait_until_serving(process: subprocess.Popen, embedded_dir, port: int) -> dict:
    state_file = embedded_dir / "run.json"

    def serving() -> bool:
        assert process.poll() is None, f"the launcher exited ({process.returncode})"
        if not state_file.exists():
            return False
        state = json.loads(state_file.read_text())
        return state["launcher"] == process.pid and port_answers(port)

    wait_until(serving, 90, "the launcher to serve")
    return json.loads(state_file.read_text())


def group_members(state: dict) -> list[int]:
    groups = set(state["children"].values())
    return [p.pid for p in psutil.process_iter() if pgid(p.pid) in groups and alive(p.pid)]


def pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def test_a_killed_launcher_is_cleaned_up_and_ctrl_c_stops_everything(embedded_dir, tmp_path):
    port = free_port()
    with open(tmp_path / "launcher.log", "w") as log:
        first = start_launcher(embedded_dir, port, log)
        try:
            killed = wait_until_serving(first, embedded_dir, port)
            first.send_signal(signal.SIGKILL)
            first.wait()
            second = start_launcher(embedded_dir, port, log)
            state = wait_until_serving(second, embedded_dir, port)
        except BaseException:
            for process in (first, locals().get("second")):
                if process is not None and process.poll() is None:
                    process.kill()
            raise
    log_text = (tmp_path / "launcher.log").read_text()
    try:
        assert not group_members(killed), "the killed launcher's processes still run"
        # The data servers outlived their launcher and serve the new one.
        assert state["servers"] == killed["servers"]
        assert all(alive(pid) for pid in state["servers"].values())
    finally:
        os.killpg(second.pid, signal.SIGINT)  # Ctrl-C in its terminal
        assert second.wait(timeout=60) == 0, log_text
    time.sleep(0.2)
    assert not group_members(state), "processes of the stopped launcher still run"
    for name, pid in state["servers"].items():
        assert not alive(pid), f"the embedded {name} still runs after Ctrl-C"


def test_leftovers_are_recognised_by_their_start_time(tmp_path, monkeypatch):
    """A recorded pid is stopped only if its process is the one that was
    recorded; another that got the same pid later is left alone."""
    monkeypatch.setattr(launcher, "STATE_FILE", tmp_path / "run.json")
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    leftover = subprocess.Popen(sleeper, cwd=REPO, start_new_session=True)
    stranger = subprocess.Popen(sleeper, cwd=REPO, start_new_session=True)
    try:
        started = {"web": launcher.start_time(leftover.pid)}
        # As if the recorded "worker" had died and its pid gone to ``stranger``,
        # which leads a group of its own (as every launched child does).
        started["worker"] = launcher.start_time(stranger.pid) - 60
        state = {"children": {"web": leftover.pid, "worker": stranger.pid}, "started": started}
        launcher.STATE_FILE.write_text(json.dumps(state))
        launcher.stop_leftovers()
        assert leftover.wait(timeout=20) is not None
        assert stranger.poll() is None, "a process that reused a recorded pid was stopped"
        assert not launcher.STATE_FILE.exists()
    finally:
        for process in (leftover, stranger):
            process.kill()
            process.wait()
