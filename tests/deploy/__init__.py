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
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
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
