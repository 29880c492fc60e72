"""``{% load markdown %}``: ``{{ post.content|markdown }}`` renders sanitised
Markdown; ``{{ post.content|markdown_excerpt:120 }}`` a plain-text excerpt."""

from __future__ import annotations

import functools

from django import template
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import get_language

from core.markdown import (
    CACHED_DOCUMENTS,
    CACHED_TEXT_MAX,
    markdown_excerpt_text,
    render_markdown,
)

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    return render_markdown(text)


@register.filter
def markdown_excerpt(text: str | None, length: int = 140) -> str:
    length = int(length)
    if text and len(text) <= CACHED_TEXT_MAX:
        # The same post in every reader's feed. The ellipsis is translated,
        # so the language is part of the key.
        return _excerpt(text, length, get_language())
    return Truncator(markdown_excerpt_text(text, length)).chars(length)


@functools.lru_cache(maxsize=CACHED_DOCUMENTS)
def _excerpt(text: str, length: int, language: str | None) -> str:
    return Truncator(markdown_excerpt_text(text, length)).chars(length)
