"""Addresses: absolute ones on ``settings.SITE_URL`` (for e-mails, push
messages, feeds, sitemaps and share tags, which are read away from any request
and must name the site as it is published, not a proxy's internal host name),
and the check that a stored address is safe to put in a page."""

from __future__ import annotations

import functools
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse


def absolute_url(url: str) -> str:
    """``url`` made absolute on ``SITE_URL``; an absolute http(s) URL (an S3
    cover, a static file on a CDN) is returned as it is."""
    if url.startswith(("http://", "https://")):
        return url
    if url.startswith("//"):
        return f"{urlsplit(settings.SITE_URL).scheme or 'https'}:{url}"
    return settings.SITE_URL.rstrip("/") + "/" + url.lstrip("/")


def safe_url(url: str | None) -> str | None:
    """An absolute http(s) URL or a path on this site; anything else (``javascript:``,
    ``data:``, ``//other.host``, relative paths, control characters) is dropped."""
    if not url:
        return None
    url = url.strip()
    # urlsplit silently removes tabs and newlines, which would let "java\tscript:"
    # through; refuse any control character or inner whitespace instead.
    if not url or any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        return None
    if "\\" in url:
        return None  # browsers read "/\host" as "//host"
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme in ("http", "https"):
        return url if parts.netloc else None
    if not parts.scheme and not parts.netloc and url.startswith("/") and not url.startswith("//"):
        return url
    return None


# An id no row has: an address is reversed once with it, and each row's id is
# put in its place.
_ANY_ID = uuid.UUID(int=0)


class AddressOf:
    """The address of the URL ``name`` for many rows: ``AddressOf("community:
    post_detail", journey.pk)(post.pk)``. A reverse() costs 30–100 µs here,
    about what the rest of a list row's markup costs, so a list reverses once
    and writes each row's id into the same address."""

    def __init__(self, name: str, *args) -> None:
        self._before, self._after = reverse(name, args=[*args, _ANY_ID]).rsplit(str(_ANY_ID), 1)

    def __call__(self, row_id) -> str:
        return f"{self._before}{row_id}{self._after}"


# --- reverse(), remembered ----------------------------------------------------------------

# The same addresses are reversed again and again: a journey's tabs on every
# page of the journey for each of its students, a post's actions for each of
# its readers. A reverse() costs 20–100 µs and a page has ten to twenty, about
# a tenth of a post page's time, so the templates' {% url %}
# (core.templatetags.addresses) remembers the latest results. An address
# depends on its view name and arguments, the URLconf, the script prefix and the
# current application, which make up the key, so no entry is ever stale. (It
# would depend on the language too were a route translated: none is, and
# tests/core/test_links.py fails the day one is.) Only arguments of exactly
# str, int or UUID are remembered: their text is a function of their value, and
# no two of them are equal with different texts (True == 1 is a bool, and a
# model instance's text depends on its fields); the rest are reversed each time.
REMEMBERED_ADDRESSES = 4096
_REMEMBERED_TYPES = frozenset((str, int, uuid.UUID))


def remembered_reverse(
    view_name: str, args=(), kwargs=None, current_app: str | None = None, urlconf=None
) -> str:
    """``reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)``,
    from memory when it was reversed before with the same key. ``urlconf``:
    the request's (``request.urlconf``), if it has its own."""
    kwargs = kwargs or {}
    if type(view_name) is not str or not _REMEMBERED_TYPES.issuperset(
        map(type, (*args, *kwargs.values()))
    ):
        return reverse(view_name, urlconf, args, kwargs, current_app)
    return _reverse_by_key(
        view_name,
        tuple(args),
        tuple(kwargs.items()),
        current_app,
        urlconf or get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
    )


@functools.lru_cache(maxsize=REMEMBERED_ADDRESSES)
def _reverse_by_key(view_name, args, kwargs, current_app, urlconf, prefix) -> str:
    # prefix is read by reverse() itself; the URLconf too, but a request's own
    # (request.urlconf) is set for the thread only while the request runs.
    return reverse(view_name, urlconf, list(args), dict(kwargs), current_app)


@receiver(setting_changed)
def _forget_addresses(setting: str, **kwargs) -> None:
    # A test's other URLconf: Django forgets its own resolvers then too.
    if setting == "ROOT_URLCONF":
        _reverse_by_key.cache_clear()
