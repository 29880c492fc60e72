"""User-written Markdown (posts, comments, mission descriptions) to safe HTML.

Markdown first, then nh3 on the output: whatever the author typed, raw HTML
included, only the tags and attributes below reach the page, links keep only
http(s) and mailto, and every link opens without handing over our page.
"""

from __future__ import annotations

import functools
import html as html_lib
import threading

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "img", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["fenced_code", "tables", "sane_lists", "nl2br"]
# An excerpt needs the first few hundred characters of text: rendering more of
# a long post only to throw it away would make a feed of long posts slow.
EXCERPT_SOURCE_FACTOR = 8
EXCERPT_SOURCE_MIN = 1000

# Building a Markdown converter loads its extensions and costs twice the
# conversion of a typical post, so each thread keeps one and resets it between
# documents (a converter is not safe to share between threads).
_converters = threading.local()


def _to_html(text: str) -> str:
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = markdown_lib.Markdown(extensions=EXTENSIONS, output_format="html")
        _converters.markdown = converter
    return converter.reset().convert(text)


# The same texts are rendered again and again (a mission's description on the
# plan of every student, a post in every classmate's feed), so each process
# keeps the latest results. The key is the text itself and the result depends
# on nothing else (not the reader, not the language), so an edited text is a
# new key and no entry can be stale or show one person another's page. Long
# texts are rare and not kept, which bounds the memory: at most
# CACHED_DOCUMENTS × CACHED_TEXT_MAX characters in and about as much out.
CACHED_DOCUMENTS = 2048
CACHED_TEXT_MAX = 8192


def _cached_when_short(function):
    cached = functools.lru_cache(maxsize=CACHED_DOCUMENTS)(function)

    @functools.wraps(function)
    def wrapper(text):
        if text and len(text) <= CACHED_TEXT_MAX:
            return cached(text)
        return function(text)

    wrapper.cache_clear = cached.cache_clear
    wrapper.cache_info = cached.cache_info
    return wrapper


@_cached_when_short
def render_markdown(text: str | None) -> SafeString:
    """``text`` as sanitised HTML; empty for None."""
    if not text:
        return mark_safe("")
    html = _to_html(text)
    return mark_safe(  # noqa: S308 - nh3 has just removed everything unsafe
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=ALLOWED_URL_SCHEMES,
            link_rel="noopener noreferrer nofollow ugc",
        )
    )


@_cached_when_short
def markdown_to_text(text: str | None) -> str:
    """Plain text of ``text`` for excerpts and notifications: the rendered
    Markdown with every tag removed."""
    if not text:
        return ""
    html = _to_html(text)
    # nh3 returns escaped text; unescape so templates escape it exactly once.
    return " ".join(html_lib.unescape(nh3.clean(html, tags=set())).split())


def markdown_excerpt_text(text: str | None, length: int) -> str:
    """Plain text of the start of ``text``, enough for an excerpt of
    ``length`` characters; only that start is rendered."""
    if not text:
        return ""
    source_length = max(EXCERPT_SOURCE_MIN, length * EXCERPT_SOURCE_FACTOR)
    return markdown_to_text(text[:source_length])
