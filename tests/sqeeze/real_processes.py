"""Helpers for tests that start real embedded servers and launchers in child
processes, each in a data dir of its own (the ``embedded_dir`` fixture)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from sqeeze import embedded

REPO = embedded.BASE_DIR


def kill_processes_using(path: Path) -> None:
    """SIGKILL every process working in ``path`` or naming it on its command line."""
    for process in psutil.process_iter(["cmdline", "cwd"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if str(path) in cmdline or str(path) in (process.info["cwd"] or ""):
            with contextlib.suppress(psutil.Error):  # gone meanwhile
                process.kill()


def child_env(embedded_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(SQEEZE_EMBEDDED_DIR=str(embedded_dir), DEBUG="true", **extra)
    return env


def run_python(code: str, embedded_dir: Path, **extra_env: str) -> str:
    """Run ``code`` in a child process using ``embedded_dir``; its last line of output."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=child_env(embedded_dir, **extra_env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def alive(pid: int | None) -> bool:
    """Running, and not a zombie (which has exited; its parent has not collected it)."""
    try:
        return pid is not None and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def kill_and_wait(pid: int) -> None:
    """SIGKILL ``pid``; nobody may collect it (like a crash under an init that
    does not reap), so it is gone once it is a zombie or has vanished."""
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not alive(pid), 10, f"pid {pid} to die")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_answers(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
