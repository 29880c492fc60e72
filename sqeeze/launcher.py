"""``make run``: one command that brings up a complete local Sqeeze.

It starts the embedded PostgreSQL and Redis (unless ``DATABASE_URL`` /
``REDIS_URL`` point elsewhere), migrates, loads the demo data, then runs the
web server, a Celery worker and Celery beat side by side. Ctrl-C (or SIGTERM)
stops every process it started, then the embedded servers.

Each child runs in its own session so that the terminal's Ctrl-C reaches only
this launcher, which then stops the children's whole process groups (the
runserver reloader and the Celery pool included) in a known order.

A launcher killed with SIGKILL cannot stop anything. On Linux its children get
SIGTERM from the kernel when it dies (``PR_SET_PDEATHSIG``); everywhere, the
next launcher reads what the dead one recorded in ``.embedded/run.json`` and
stops whatever of it still runs before it starts. The embedded PostgreSQL and
Redis are left running then and reused (``sqeeze.embedded``).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field

import psutil

from sqeeze import embedded

BASE_DIR = embedded.BASE_DIR
LOCK_FILE = embedded.RUN_LOCK_FILE
VAPID_FILE = embedded.EMBEDDED_DIR / "vapid.env"
STATE_FILE = embedded.EMBEDDED_DIR / "run.json"
STOP_TIMEOUT_SECONDS = 15

DEMO_LOGINS = (
    ("admin@sqeeze.test", "admin (Django admin)"),
    ("teacher@sqeeze.test", "teacher"),
    ("student@sqeeze.test", "student"),
)
DEMO_PASSWORD = "sqeeze-demo"


class LaunchError(Exception):
    """A problem the person running ``make run`` can fix; printed without a traceback."""


@dataclass
class Launcher:
    port: int
    host: str
    env: dict[str, str] = field(default_factory=dict)
    children: dict[str, subprocess.Popen] = field(default_factory=dict)
    stopping: bool = False

    # --- start --------------------------------------------------------------

    def start_services(self) -> None:
        self.env = dict(os.environ)
        self.env.setdefault("DEBUG", "true")
        self.env.setdefault("PYTHONUNBUFFERED", "1")
        if not self.env.get("DATABASE_URL"):
            say("Starting the embedded PostgreSQL (data in .embedded/postgres) …")
            self.env["DATABASE_URL"] = embedded.postgres_url()
            self.env["DATABASE_OWNER_URL"] = embedded.postgres_url(embedded.OWNER_ROLE)
        if not self.env.get("REDIS_URL"):
            say("Starting the embedded Redis (data in .embedded/redis) …")
            self.env["REDIS_URL"] = embedded.redis_url()

    def ensure_vapid_keys(self) -> None:
        """Local web push works out of the box: a development key pair is made
        once and kept in .embedded/ (configured keys win)."""
        if self.env.get("VAPID_PUBLIC_KEY") and self.env.get("VAPID_PRIVATE_KEY"):
            return
        if not VAPID_FILE.exists():
            result = subprocess.run(
                [sys.executable, "manage.py", "vapid_keys"],
                cwd=BASE_DIR, env=self.env, capture_output=True, text=True,
            )  # fmt: skip
            if result.returncode != 0:
                raise LaunchError(f"manage.py vapid_keys failed: {result.stderr.strip()}")
            VAPID_FILE.write_text(result.stdout)
            VAPID_FILE.chmod(0o600)
        for line in VAPID_FILE.read_text().splitlines():
            name, _sep, value = line.partition("=")
            if name in ("VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY") and value:
                self.env[name] = value.strip()

    def prepare_database(self) -> None:
        say("Applying migrations …")
        self.manage("migrate", "--noinput", "-v", "0")
        say("Loading the demo data (idempotent) …")
        self.manage("seed_demo")

    def manage(self, *args: str) -> None:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=self.env)
        if result.returncode != 0:
            raise LaunchError(f"manage.py {' '.join(args)} failed (exit {result.returncode}).")

    def start_processes(self) -> None:
        python = sys.executable
        commands = {
            "web": [python, "manage.py", "runserver", f"{self.host}:{self.port}"],
            "worker": [
                python, "-m", "celery", "-A", "sqeeze", "worker",
                "--loglevel", "INFO", "--concurrency", "2",
            ],
            "beat": [python, "-m", "celery", "-A", "sqeeze", "beat", "--loglevel", "INFO"],
        }  # fmt: skip
        die_with_us = die_with_parent(os.getpid())
        for name, command in commands.items():
            self.children[name] = subprocess.Popen(
                command, cwd=BASE_DIR, env=self.env, start_new_session=True,
                preexec_fn=die_with_us,
            )  # fmt: skip
        self.write_state()

    def write_state(self) -> None:
        """Record what runs, so tooling (and CI's smoke test) can check it all
        stopped, and the next launcher can stop it if this one is killed."""
        state = {
            "launcher": os.getpid(),
            "children": {name: child.pid for name, child in self.children.items()},
            # A pid is reused once its process is gone; its start time is not.
            "started": {name: start_time(child.pid) for name, child in self.children.items()},
            "servers": embedded.server_pids(),
            "url": self.url,
            "database_url": self.env["DATABASE_URL"],
            # Tooling that inspects every row (CI's smoke test) connects as the owner.
            "database_owner_url": self.env.get("DATABASE_OWNER_URL") or self.env["DATABASE_URL"],
        }
        # Written aside, then renamed: a reader (the next launcher, CI's smoke
        # test) never sees a half-written file.
        partial = STATE_FILE.with_suffix(".json.partial")
        partial.write_text(json.dumps(state, indent=2))
        os.replace(partial, STATE_FILE)

    @property
    def url(self) -> str:
        shown_host = "localhost" if self.host in ("127.0.0.1", "0.0.0.0") else self.host
        return f"http://{shown_host}:{self.port}/"

    def print_banner(self) -> None:
        lines = [
            "",
            f"  Sqeeze is starting at {self.url}",
            f"  Django admin: {self.url}admin/",
            "",
            f"  Demo log-ins (password: {DEMO_PASSWORD}):",
            *(f"    {email:<24} {role}" for email, role in DEMO_LOGINS),
            "",
            "  Press Ctrl-C to stop everything.",
            "",
        ]
        say("\n".join(lines))

    # --- run and stop -------------------------------------------------------

    def wait(self) -> int:
        """Block until Ctrl-C / SIGTERM, or until a child dies on its own."""
        while not self.stopping:
            for name, child in self.children.items():
                code = child.poll()
                if code is not None:
                    say(f"The {name} process exited (code {code}); stopping the others.")
                    return 1
            time.sleep(0.5)
        return 0

    def stop(self) -> None:
        self.stopping = True
        for child in self.children.values():
            signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                signal_group(child, signal.SIGKILL)
                child.wait()
            # The group may still hold grandchildren (runserver's reloaded child).
            signal_group(child, signal.SIGKILL)
        embedded.stop_all()
        STATE_FILE.unlink(missing_ok=True)


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
# Process start times come from the boot time, which Linux reports to the second.
START_TIME_SLACK = 1.0


def die_with_parent(parent_pid: int):
    """A ``preexec_fn`` asking Linux to send the child SIGTERM when the launcher
    dies, SIGKILL included. Every child stops its own children on SIGTERM:
    runserver's reloader kills the server it runs, Celery its pool."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def ask_for_sigterm() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent_pid:  # the launcher died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return ask_for_sigterm


def start_time(pid: int) -> float | None:
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def stop_leftovers() -> None:
    """Stop what a killed launcher left running. Its children are found by their
    process groups (the runserver reloader's server and the Celery pool too),
    and trusted only if they started no earlier than the child recorded and
    work in this checkout: a process that reused a pid is someone else's."""
    try:
        state = json.loads(STATE_FILE.read_text())
    except (OSError, ValueError):
        return
    leftovers = []
    for name, group in state.get("children", {}).items():
        started = state.get("started", {}).get(name)
        if started is not None:
            leftovers += processes_of_group(group, started)
    if leftovers:
        say(f"Stopping {len(leftovers)} process(es) left by a launcher that was killed …")
        stop_processes(leftovers)
    STATE_FILE.unlink(missing_ok=True)


def processes_of_group(group: int, started: float) -> list[psutil.Process]:
    leader_started = start_time(group)
    if leader_started is not None and abs(leader_started - started) > START_TIME_SLACK:
        return []  # the pid now leads another process group, not ours
    found = []
    for process in psutil.process_iter():
        try:
            if (
                os.getpgid(process.pid) == group
                and process.create_time() >= started - START_TIME_SLACK
                and process.status() != psutil.STATUS_ZOMBIE
                and process.cwd() == str(BASE_DIR)
            ):
                found.append(process)
        except (psutil.Error, ProcessLookupError):
            continue  # gone meanwhile, or not ours to inspect
    return found


def stop_processes(processes: list[psutil.Process]) -> None:
    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.terminate()
    _gone, alive = psutil.wait_procs(processes, timeout=STOP_TIMEOUT_SECONDS)
    for process in alive:
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(alive, timeout=5)


def signal_group(child: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)


def say(message: str) -> None:
    print(message, flush=True)


def acquire_lock():
    """Refuse to run two copies from one checkout: they would share one database."""
    LOCK_FILE.parent.mkdir(parents=True, exist_ok=True)
    handle = LOCK_FILE.open("a+")
    owner = embedded.run_lock_holder(handle)
    if owner is not None:
        handle.close()
        raise LaunchError(
            f"Sqeeze is already running from this checkout (launcher pid {owner}). "
            "Stop that copy first (Ctrl-C in its terminal), then run `make run` again."
        )
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle  # keep it open: the lock lives as long as this process


def ensure_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise LaunchError(
                f"Port {port} is already in use on {host}. Stop whatever uses it, "
                f"or pick another port: PORT={port + 1} make run"
            ) from None


def read_port() -> int:
    raw = os.environ.get("PORT", "8000")
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise LaunchError(f"PORT must be a number between 1 and 65535, not {raw!r}.")
    return int(raw)


def main() -> int:
    os.chdir(BASE_DIR)
    try:
        lock = acquire_lock()
        stop_leftovers()  # before the port check: a leftover web server holds the port
        port = read_port()
        host = os.environ.get("HOST", "127.0.0.1")
        ensure_port_free(host, port)
    except LaunchError as error:
        say(f"make run: {error}")
        return 1

    launcher = Launcher(port=port, host=host)

    def request_stop(signum, frame):
        launcher.stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    code = 0
    try:
        launcher.start_services()
        launcher.ensure_vapid_keys()
        launcher.prepare_database()
        if launcher.stopping:
            return 130
        launcher.start_processes()
        launcher.print_banner()
        code = launcher.wait()
    except LaunchError as error:
        say(f"make run: {error}")
        code = 1
    finally:
        say("Stopping Sqeeze …")
        launcher.stop()
        lock.close()
        say("Stopped.")
    return code


if __name__ == "__main__":
    sys.exit(main())
