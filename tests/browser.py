"""Real Chromium for browser tests, through Playwright.

Browser tests are part of the suite: when no Chromium can be found they fail
with instructions, they never skip. `make test` installs one first
(scripts/ensure-chromium).
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_executable() -> str | None:
    """A system Chromium, or None to let Playwright use its own download."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture
def chromium(monkeypatch):
    """A browser for one test. Not shared across tests: Playwright's sync API runs
    an event loop in this thread while it is open, and Django refuses ORM calls
    under a running loop, which every later test would hit."""
    from playwright.sync_api import Error, sync_playwright

    # The test's own ORM calls are plain synchronous ones despite that loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=chromium_executable(), args=CHROMIUM_ARGS
            )
        except Error as error:
            pytest.fail(
                "Browser tests need Chromium: install it (Debian: apt-get install chromium; "
                "elsewhere: .venv/bin/python -m playwright install chromium) or set "
                f"CHROMIUM_PATH. Playwright said: {error}",
                pytrace=False,
            )
        yield browser
        browser.close()
