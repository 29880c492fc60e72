"""The installable app without a browser: the manifest and its icons, the
offline page (the same for everyone, cacheable), the service worker's cache
version and shell, and the tags every page carries.

The browser half (Chromium's own installability check, the offline page shown
in place of a signed-in page) is in test_pwa_browser.py."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image

from sqeeze import pwa

pytestmark = pytest.mark.django_db

MANIFEST = "/manifest.webmanifest"
OFFLINE = "/offline/"
WORKER = "/sw.js"


def static_path(url: str) -> Path:
    found = finders.find(url.removeprefix(settings.STATIC_URL))
    assert found, f"{url} is not a static file"
    return Path(found)


def css_token(name: str) -> str:
    css = (Path(settings.BASE_DIR) / "static" / "css" / "sqeeze.css").read_text()
    return re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{3,6}})", css).group(1).lower()


# --- the manifest ------------------------------------------------------------------


def test_the_manifest_is_served_as_a_web_app_manifest(client):
    response = client.get(MANIFEST)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    assert "max-age" in response["Cache-Control"]
    manifest = response.json()
    assert manifest["name"] == manifest["short_name"] == settings.SITE_NAME == "Sqeeze"
    assert manifest["start_url"] == "/home/?source=pwa"
    assert manifest["scope"] == "/"
    assert manifest["id"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "ko"  # the site's default language
    assert manifest["description"]


def test_the_manifest_colours_are_the_style_sheet_tokens(client):
    manifest = client.get(MANIFEST).json()

    assert manifest["theme_color"] == css_token("brand")
    assert manifest["background_color"] == css_token("bg")


def test_the_manifest_speaks_the_browsers_language(client):
    manifest = client.get(MANIFEST, HTTP_ACCEPT_LANGUAGE="en").json()

    assert manifest["lang"] == "en"
    assert manifest["description"] == "Missions, feedback and progress for your academy"


def test_the_manifest_follows_site_name(client, settings):
    settings.SITE_NAME = "Hanbit LMS"

    manifest = client.get(MANIFEST).json()

    assert manifest["name"] == manifest["short_name"] == "Hanbit LMS"


def test_every_manifest_icon_is_a_png_of_its_declared_size(client):
    icons = client.get(MANIFEST).json()["icons"]

    purposes = {(icon["sizes"], icon.get("purpose", "any")) for icon in icons}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
    for icon in icons:
        assert icon["type"] == "image/png"
        with Image.open(static_path(icon["src"])) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"], icon["src"]


def test_the_maskable_icon_fills_every_corner():
    """Android cuts a maskable icon to its own shape: a transparent corner
    would show as a hole, so the background must reach every edge."""
    with Image.open(static_path("/static/icons/sqeeze-maskable-512.png")) as image:
        rgba = image.convert("RGBA")
        brand = tuple(int(css_token("brand")[i : i + 2], 16) for i in (1, 3, 5))
        for corner in [(0, 0), (511, 0), (0, 511), (511, 511), (256, 2), (2, 256)]:
            assert rgba.getpixel(corner) == (*brand, 255), corner


def test_the_maskable_icons_letter_stays_inside_the_safe_circle():
    """Only the centre circle (radius 40% of the width) is sure to survive the
    mask: every pixel that is not background lies inside it."""
    with Image.open(static_path("/static/icons/sqeeze-maskable-512.png")) as image:
        rgba = image.convert("RGBA")
    brand = tuple(int(css_token("brand")[i : i + 2], 16) for i in (1, 3, 5))
    size = rgba.width
    centre, radius = size / 2, 0.4 * size
    for y in range(0, size, 4):
        for x in range(0, size, 4):
            red, green, blue, _alpha = rgba.getpixel((x, y))
            if max(abs(red - brand[0]), abs(green - brand[1]), abs(blue - brand[2])) > 40:
                assert (x - centre) ** 2 + (y - centre) ** 2 <= radius**2, (x, y)


def test_the_apple_touch_icon_is_an_opaque_square():
    with Image.open(static_path("/static/icons/apple-touch-icon.png")) as image:
        assert image.size == (180, 180)
        assert image.convert("RGBA").getpixel((0, 0))[3] == 255


# --- every page ------------------------------------------------------------------


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_page_links_the_manifest_and_registers_the_worker(client, student, signed_in):
    if signed_in:
        client.force_login(student)
    html = client.get("/accounts/login/" if not signed_in else "/home/").content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert f'<meta name="theme-color" content="{css_token("brand")}">' in html
    assert '<link rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png">' in html
    assert '<script src="/static/js/pwa.js" data-sw-url="/sw.js" defer></script>' in html
    assert "<script>" not in html  # CSP: no inline scripts


# --- the offline page --------------------------------------------------------------


def test_the_offline_page_is_anonymous_and_cacheable(client):
    response = client.get(OFFLINE)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    cache_control = response["Cache-Control"]
    assert "public" in cache_control and "max-age" in cache_control
    assert "Set-Cookie" not in response.headers
    assert not response.cookies
    html = response.content.decode()
    assert '<html lang="ko">' in html
    with translation.override("ko"):
        assert gettext("You are offline") in html
    assert "<script" not in html and "style=" not in html  # CSP


def test_the_offline_page_is_the_same_for_a_signed_in_person(client, student):
    """Nothing of the person (name, menu, CSRF token) is in it, so the copy the
    service worker keeps could be shown to anyone using that browser."""
    anonymous = client.get(OFFLINE).content

    signed_in = Client()
    signed_in.force_login(student)
    theirs = signed_in.get(OFFLINE)

    assert theirs.content == anonymous
    assert student.first_name not in theirs.content.decode()
    assert "csrfmiddlewaretoken" not in theirs.content.decode()


def test_the_offline_page_is_in_the_language_asked_for(client):
    html = client.get(OFFLINE, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<html lang="en">' in html
    assert "You are offline" in html
    assert "Try again" in html


def test_a_person_with_an_unfinished_profile_still_gets_the_app_files(client, student):
    student.phone = None
    student.save(update_fields=["phone"])
    client.force_login(student)

    for url in (OFFLINE, MANIFEST, WORKER):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("url", [OFFLINE, MANIFEST, WORKER])
def test_the_app_files_answer_only_reads(client, url):
    assert client.post(url).status_code == 405
    assert client.head(url).status_code == 200


# --- the service worker ------------------------------------------------------------


def worker_constant(script: str, name: str) -> str:
    return re.search(rf"^const {name} = (.+);$", script, re.MULTILINE).group(1)


def test_the_worker_keeps_the_offline_page_and_existing_static_files(client):
    script = client.get(WORKER).content.decode()

    shell = re.findall(r'"([^"]+)"', worker_constant(script, "SHELL_URLS"))
    assert OFFLINE in shell
    assert "/static/css/sqeeze.css" in shell
    for url in shell:
        if url != OFFLINE:
            static_path(url)  # fails for a file that does not exist
    assert worker_constant(script, "OFFLINE_URL") == f'"{OFFLINE}"'


def test_the_cache_name_changes_when_a_static_file_changes(client, tmp_path, settings):
    """A deploy with a changed static file brings a new worker (its script
    differs) whose cache has a new name: the old cache is deleted on activation."""
    extra = tmp_path / "static"
    extra.mkdir()
    (extra / "deploy.css").write_text("body { color: red; }")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, extra]
    before = worker_constant(client.get(WORKER).content.decode(), "CACHE_NAME")

    (extra / "deploy.css").write_text("body { color: blue; } /* a new deploy */")

    after = worker_constant(client.get(WORKER).content.decode(), "CACHE_NAME")
    assert before != after
    assert before.startswith('CACHE_PREFIX + "') and after.startswith('CACHE_PREFIX + "')


def test_in_production_the_cache_name_follows_the_static_manifest(monkeypatch):
    # ManifestStaticFilesStorage, as collectstatic leaves it (DEBUG off)
    monkeypatch.setattr(pwa, "staticfiles_storage", SimpleNamespace(manifest_hash="abc123"))
    first = pwa.cache_version(["/static/css/sqeeze.0a1b2c.css"])

    monkeypatch.setattr(pwa, "staticfiles_storage", SimpleNamespace(manifest_hash="def456"))
    second = pwa.cache_version(["/static/css/sqeeze.0a1b2c.css"])

    assert pwa.static_files_version() == "def456"
    assert first != second


def test_the_worker_caches_nothing_but_static_files_and_the_offline_page(client):
    """A reading of the script: the only cache writes are the shell (fetched
    without cookies), static files, and the offline page (without cookies)."""
    script = client.get(WORKER).content.decode()

    assert script.count("cache.put(") == 3
    assert 'credentials: "omit"' in script
    assert "request.url.startsWith(STATIC_BASE)" in script
    assert 'request.method !== "GET"' in script
