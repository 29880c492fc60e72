"""``{% load blog_tags %}``: a post's cover for ``<img src>`` and for link
previews. A post without a cover of its own (or with the seed's stock
picture, which is never fetched) gets Sqeeze's placeholder from static/."""

from __future__ import annotations

from django import template
from django.templatetags.static import static

from blog.models import Blog
from core.links import absolute_url

register = template.Library()

PLACEHOLDER_COVER = "icons/blog-cover.svg"
# Link previews (KakaoTalk, Facebook, X) do not draw SVG: the same picture as PNG.
PLACEHOLDER_SHARE_IMAGE = "icons/blog-cover.png"


@register.simple_tag
def blog_cover(post: Blog) -> str:
    return post.cover_url or static(PLACEHOLDER_COVER)


@register.simple_tag
def blog_share_image(post: Blog | None = None) -> str:
    """An absolute address of the post's cover (or the placeholder), for og:image."""
    url = post.cover_url if post is not None else None
    return absolute_url(url or static(PLACEHOLDER_SHARE_IMAGE))
