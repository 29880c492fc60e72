"""Addresses: absolute ones on ``settings.SITE_URL`` (for e-mails, push
messages, feeds, sitemaps and share tags, which are read away from any request
and must name the site as it is published, not a proxy's internal host name),
and the check that a stored address is safe to put in a page."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse


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
