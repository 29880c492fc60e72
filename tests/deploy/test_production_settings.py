"""Production settings (DEBUG off), each checked in a fresh process, because
settings are read once per process and this one runs with development values."""

from __future__ import annotations

import json
import os

import pytest
from whitenoise.storage import CompressedManifestStaticFilesStorage

from core.staticfiles import RememberedManifestStorage
from tests.deploy import isolated_environ, run_python

# Unreachable on purpose: settings must not connect while loading, and having
# both set keeps the embedded development servers from starting.
DATABASE_URL = "postgres://x@127.0.0.1:1/x"
REDIS_URL = "redis://127.0.0.1:1/0"

SETUP = "import django; django.setup()"

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
database = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "staticfiles": settings.STORAGES["staticfiles"]["BACKEND"],
    "database": [database["HOST"], str(database["PORT"])],
    "cache": settings.CACHES["default"]["LOCATION"],
    "broker": settings.CELERY_BROKER_URL,
}))
"""


def production_environ(**overrides: str) -> dict[str, str]:
    return isolated_environ(
        DEBUG="false",
        DJANGO_SETTINGS_MODULE="sqeeze.settings",
        SQEEZE_ENV_FILE=os.devnull,  # a developer's .env must not fill in what is left out
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        **overrides,
    )


def production_settings() -> dict:
    result = run_python("-c", PRINT_SETTINGS, env=production_environ(SECRET_KEY="test-only-key"))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("secret_key", [None, ""], ids=["unset", "empty"])
def test_production_refuses_to_start_without_secret_key(secret_key):
    environ = production_environ()
    if secret_key is not None:
        environ["SECRET_KEY"] = secret_key

    result = run_python("-c", SETUP, env=environ)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_starts_with_secret_key():
    result = run_python("-c", SETUP, env=production_environ(SECRET_KEY="test-only-key"))

    assert result.returncode == 0, result.stderr


def test_production_cookies_are_secure():
    values = production_settings()

    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True


def test_production_serves_static_files_from_whitenoise_manifest():
    # The manifest gives every file a content hash, so browsers may cache forever.
    # (core.staticfiles' storage is WhiteNoise's, working each address out once.)
    values = production_settings()

    assert values["staticfiles"] == "core.staticfiles.RememberedManifestStorage"
    assert issubclass(RememberedManifestStorage, CompressedManifestStaticFilesStorage)


def test_production_uses_the_configured_services_not_embedded_ones():
    values = production_settings()

    assert values["database"] == ["127.0.0.1", "1"]
    assert values["cache"] == REDIS_URL
    assert values["broker"] == REDIS_URL
