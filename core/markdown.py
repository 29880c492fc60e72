"""User-written Markdown (posts, comments, mission descriptions) to safe HTML.

Markdown first, then nh3 on the output: whatever the author typed, raw HTML
included, only the tags and attributes below reach the page, links keep only
http(s) and mailto, and every link opens without handing over our page.
"""

from __future__ import annotations

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
