"""Absolute addresses on ``settings.SITE_URL``: for e-mails, push messages,
feeds, sitemaps and share tags, which are read away from any request and must
name the site as it is published (not a proxy's internal host name)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def absolute_url(url: str) -> str:
    """``url`` made absolute on ``SITE_URL``; an absolute http(s) URL (an S3
    cover, a static file on a CDN) is returned as it is."""
    if url.startswith(("http://", "https://")):
        return url
    if url.startswith("//"):
        return f"{urlsplit(settings.SITE_URL).scheme or 'https'}:{url}"
    return settings.SITE_URL.rstrip("/") + "/" + url.lstrip("/")
