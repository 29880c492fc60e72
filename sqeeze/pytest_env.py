"""Pytest plugin (``-p sqeeze.pytest_env`` in pyproject.toml), loaded before
Django settings are imported: tests run with development defaults, so no
production SECRET_KEY is needed. The production refusal itself is tested in
tests/deploy/test_production_settings.py."""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECURE_COOKIES", "false")
# live_server threads would otherwise keep connections open past the test.
os.environ.setdefault("DB_CONN_MAX_AGE", "0")
# Compiled statements are checked against the queryset at every call (core.statements).
os.environ.setdefault("VERIFY_STATEMENTS", "true")
# Rows drawn once per process are drawn again and compared (core.fragments).
os.environ.setdefault("VERIFY_FRAGMENTS", "true")
