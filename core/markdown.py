"""User-written Markdown (posts, comments, mission descriptions) to safe HTML.

Markdown first, then nh3 on the output: whatever the author typed, raw HTML
included, only the tags and attributes below reach the page, links keep only
http(s) and mailto, and every link opens without handing over our page.
"""

from __future__ import annotations

import html as html_lib

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


def render_markdown(text: str | None) -> SafeString:
    """``text`` as sanitised HTML; empty for None."""
    if not text:
        return mark_safe("")
    html = markdown_lib.markdown(text, extensions=EXTENSIONS, output_format="html")
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
    html = markdown_lib.markdown(text, extensions=EXTENSIONS, output_format="html")
    # nh3 returns escaped text; unescape so templates escape it exactly once.
    return " ".join(html_lib.unescape(nh3.clean(html, tags=set())).split())
