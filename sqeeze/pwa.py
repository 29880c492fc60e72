"""Sqeeze as an installable app: the web manifest, the service worker and the
offline page.

The worker (templates/sqeeze/sw.js, at /sw.js so that its scope is the whole
site) keeps the static shell and the offline page in a cache named after the
deployed static files, and shows web push messages. It never keeps a page's
HTML: a signed-in page stays on the server, and offline a person sees the
offline page instead, which is the same for everyone.
"""

from __future__ import annotations

import hashlib
import json
import os

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from notifications.push_delivery import PUSH_ICON

# The colours of static/css/sqeeze.css: --brand for the browser's bars, --bg
# for the splash screen an installed app shows while it starts.
THEME_COLOR = "#5b4cf0"
BACKGROUND_COLOR = "#f7f7fb"

# What the worker puts in its cache when it installs: what the offline page
# needs, and the scripts of every page. The other static files (each area's
# style sheet …) join the cache the first time a page asks for them, so this
# list need not follow templates/base.html.
SHELL_STATIC = (
    "css/sqeeze.css",
    "css/errors.css",
    "django_htmx/htmx-2.min.js",
    "js/nav.js",
    "js/pwa.js",
    "icons/sqeeze.svg",
    "icons/bell.svg",
)

SERVICE_WORKER_TEMPLATE = "sqeeze/sw.js"
OFFLINE_TEMPLATE = "sqeeze/offline.html"
# The offline page and the manifest change only with a deploy or a language.
PUBLIC_MAX_AGE_SECONDS = 60 * 60


@require_safe
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest, in the language LocaleMiddleware chose (browsers
    fetch it without cookies, so that is their Accept-Language)."""
    body = {
        "id": "/",
        "name": settings.SITE_NAME,
        "short_name": settings.SITE_NAME,
        "description": _("Missions, feedback and progress for your academy"),
        "lang": get_language(),
        "dir": "ltr",
        # ?source=pwa tells launches of the installed app apart in access logs.
        "start_url": reverse("home") + "?source=pwa",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "categories": ["education"],
        "icons": [
            {"src": static("icons/sqeeze-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/sqeeze-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/sqeeze-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(
        body, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE_SECONDS)
    return response


@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    """What the worker shows when a page cannot be loaded. Rendered without the
    request (no person, no session, no CSRF token), so it is the same for
    everyone who reads this language and safe to keep in any cache."""
    response = HttpResponse(render_to_string(OFFLINE_TEMPLATE))
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE_SECONDS)
    return response


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """/sw.js from the site root, so its scope is the whole site."""
    shell_urls = [static(path) for path in SHELL_STATIC] + [reverse("offline")]
    context = {
        "cache_version": cache_version(shell_urls),
        "shell_urls_json": json.dumps(shell_urls),
        "languages_json": json.dumps([code for code, _name in settings.LANGUAGES]),
        "offline_url": reverse("offline"),
        "static_url": settings.STATIC_URL,
        "site_name": settings.SITE_NAME,
        "icon_url": static(PUSH_ICON),
        "inbox_url": reverse("notifications:inbox"),
    }
    script = render_to_string(SERVICE_WORKER_TEMPLATE, context)
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # Browsers compare the script on every navigation; never serve a stale one.
    patch_cache_control(response, no_cache=True, max_age=0)
    return response


def cache_version(shell_urls: list[str]) -> str:
    """Names the worker's cache. It changes whenever a deploy changes a static
    file or the worker itself, so the browser installs the new worker, which
    deletes the old cache when it takes over."""
    digest = hashlib.sha256()
    digest.update(static_files_version().encode())
    digest.update(get_template(SERVICE_WORKER_TEMPLATE).template.source.encode())
    digest.update(json.dumps([settings.SITE_NAME, shell_urls]).encode())
    return digest.hexdigest()[:16]


def static_files_version() -> str:
    """In production, the hash of collectstatic's manifest (every file's content
    hash). Without a manifest (development), the size and time of every file
    the finders see: a few hundred stat calls, and an edited file counts."""
    manifest_hash = getattr(staticfiles_storage, "manifest_hash", "")
    if manifest_hash:
        return manifest_hash
    entries = []
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()
