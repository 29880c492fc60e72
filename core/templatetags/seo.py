"""``{% load seo %}``: ``{{ url|absolute }}`` makes a site path absolute on
``SITE_URL``, for canonical links, Open Graph and Twitter tags."""

from __future__ import annotations

from django import template

from core.links import absolute_url

register = template.Library()


@register.filter
def absolute(url: str | None) -> str:
    return absolute_url(str(url)) if url else ""
