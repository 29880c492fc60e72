"""Tests of the production topology: Dockerfile, docker-compose.yml and the
production settings.

No Docker engine runs on the development machines or CI, so these tests read
the files and check them against the project itself, and run what compose
would run (gunicorn, Caddy with deploy/Caddyfile, two instances side by side)
as processes on loopback. The helpers below are shared by the test modules.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from sqeeze import demo

REPO_ROOT = Path(__file__).resolve().parents[2]
# Who logs in to a started server: the demo student, as seed_demo makes them.
DEMO_STUDENT = demo.demo_email("student")
DEMO_PASSWORD = demo.DEMO_PASSWORD
DEMO_STUDENT_NAME = "김민지"  # family and given name, as the pages write them
SETTINGS_FILE = REPO_ROOT / "sqeeze" / "settings.py"


@cache
def settings_variables() -> frozenset[str]:
    """The environment variables sqeeze/settings.py reads through django-environ:
    ``env("NAME")``, ``env.bool("NAME")``, ``env.db("NAME")`` and the like."""
    tree = ast.parse(SETTINGS_FILE.read_text(encoding="utf-8"))
    return frozenset(name for node in ast.walk(tree) if (name := _env_call_name(node)))


def _env_call_name(node: ast.AST) -> str | None:
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    calls_env = (isinstance(func, ast.Name) and func.id == "env") or (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "env"
    )
    first = node.args[0]
    if calls_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return None


def isolated_environ(**overrides: str) -> dict[str, str]:
    """A copy of this process's environment without anything settings read,
    plus ``overrides``: the test process itself runs with development values
    (sqeeze.pytest_env sets DEBUG and SECURE_COOKIES), which must not leak."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if name not in settings_variables() and name != "DJANGO_SETTINGS_MODULE"
    }
    environ.update(overrides)
    return environ


def run_python(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run this interpreter in a fresh process from the repository root, so
    settings are imported from scratch with exactly ``env``."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def production_environ(**values: str) -> dict[str, str]:
    """Exactly ``values`` for the settings of a started server: none of this
    process's development values (``isolated_environ``), AWS profile or
    gunicorn defaults leak in."""
    environ = {
        name: value
        for name, value in isolated_environ().items()
        if not name.startswith("AWS_") and name not in ("WEB_CONCURRENCY", "GUNICORN_CMD_ARGS")
    }
    environ.update(values)
    return environ


def gunicorn_command(port: int, *options: str) -> list[str]:
    """gunicorn as the image's CMD runs it (Dockerfile), on a loopback port."""
    from gunicorn.config import KNOWN_SETTINGS

    command = [
        sys.executable, "-m", "gunicorn", "sqeeze.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--access-logfile", "-", *options,
    ]  # fmt: skip
    if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS):
        # gunicorn 25+ opens a control socket at one path per user: two masters
        # (and a developer's own gunicorn) would share it.
        command.append("--no-control-socket")
    return command


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@contextmanager
def scratch_database(label: str) -> Iterator[dict[str, str]]:
    """A fresh, empty database of its own on the test session's PostgreSQL
    server, dropped afterwards, as the settings DATABASE_URL (the runtime role)
    and DATABASE_OWNER_URL: servers a test starts commit to it, which the test
    database's rolled-back transactions would hide from them."""
    from django.conf import settings

    from tests import celery_worker

    server_url = celery_worker.database_url(owner=True)  # the test database's server
    name = f"{settings.DATABASES['default']['NAME'][:30]}_{label}_{uuid.uuid4().hex[:12]}"
    maintenance = _with_database(server_url, "postgres")
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {
            "DATABASE_URL": _with_database(celery_worker.database_url(), name),
            "DATABASE_OWNER_URL": _with_database(server_url, name),
        }
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare_demo_site(environ: dict[str, str]) -> None:
    """With ``environ``'s settings: migrate, seed the demo and collect the
    static files (DEBUG off serves the collected, hashed ones, as the image's
    build step leaves them; collecting takes as long as the other two, so it
    runs meanwhile)."""
    manage = [sys.executable, "manage.py"]
    collect = subprocess.Popen(
        [*manage, "collectstatic", "--noinput", "-v0"],
        cwd=REPO_ROOT, env=environ, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        for step in (["migrate", "--noinput"], ["seed_demo", "--force"]):  # --force: DEBUG off
            result = subprocess.run(
                [*manage, *step, "-v0"],
                cwd=REPO_ROOT, env=environ, capture_output=True, text=True, timeout=180,
            )  # fmt: skip
            assert result.returncode == 0, f"{step[0]} failed:\n{result.stderr}"
        _, errors = collect.communicate(timeout=180)
        assert collect.returncode == 0, f"collectstatic failed:\n{errors}"
    finally:
        if collect.poll() is None:
            collect.kill()
            collect.wait()
