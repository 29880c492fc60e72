"""``{% load markdown %}``: ``{{ post.content|markdown }}`` renders sanitised
Markdown; ``{{ post.content|markdown_excerpt:120 }}`` a plain-text excerpt."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from core.markdown import markdown_excerpt_text, render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    return render_markdown(text)


@register.filter
def markdown_excerpt(text: str | None, length: int = 140) -> str:
    length = int(length)
    return Truncator(markdown_excerpt_text(text, length)).chars(length)
