"""What search engines and link previews see: absolute addresses built from
``settings.SITE_URL``, the sitemaps' base, and telling a link-preview crawler
from a person.

Addresses in meta tags, feeds and sitemaps must be absolute and must name the
site as it is published, not as this request happened to reach it (a proxy's
internal host name, ``localhost`` behind a tunnel). ``SITE_URL`` is that name,
as in e-mails and push messages.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import HttpRequest


class SiteURLSitemap(Sitemap):
    """A sitemap whose addresses start with ``SITE_URL`` (Django's would take the
    Sites framework's domain, which knows nothing of http or a port)."""

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None) -> str:
        parts = urlsplit(settings.SITE_URL)
        return parts.netloc + parts.path.rstrip("/")


# Crawlers that fetch a shared link to draw its preview card, by a token of
# their User-Agent (lower case). They come anonymously and never log in.
# KakaoTalk's in-app *browser* says "KAKAOTALK" (a person): only its scraper
# says "kakaotalk-scrap".
LINK_PREVIEW_AGENTS = (
    "kakaotalk-scrap",
    "slackbot",
    "facebookexternalhit",
    "facebot",
    "twitterbot",
    "discordbot",
    "telegrambot",
    "whatsapp",
    "linkedinbot",
    "skypeuripreview",
    "microsoftpreview",
    "line-poker",
    "daumoa",
    "yeti",
    "googlebot",
    "bingbot",
    "applebot",
    "redditbot",
    "pinterestbot",
    "embedly",
    "iframely",
    "mastodon",
    "cardyb",
)


def is_link_preview_crawler(request: HttpRequest) -> bool:
    """Is this request a crawler drawing a preview of a shared link? Only decides
    what a public page shows (a card instead of a redirect to log in): a person
    who pretends to be one gets nothing a person would not."""
    agent = request.headers.get("User-Agent", "").lower()
    return bool(agent) and any(token in agent for token in LINK_PREVIEW_AGENTS)
