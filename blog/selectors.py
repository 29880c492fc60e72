"""Reads of the blog: the public list (paged by key on (published_at, id),
newest first), the latest posts for the landing page, one public post, and any
post for an operator's preview.

"Public" is decided in one place, ``Blog.objects.published()``: a publication
time that has come. Drafts and scheduled posts are not in the list, the feed or
the sitemap, and their addresses answer 404 like a missing post.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from blog.models import Blog
from core.keyset import newest_first_page

BLOG_PAGE_SIZE = 12
LANDING_POST_COUNT = 3
FEED_POST_COUNT = 20


def public_posts(*, now: dt.datetime | None = None) -> QuerySet[Blog]:
    """Published posts, newest first, with what a card shows."""
    return (
        Blog.objects.published(now=now)
        .select_related("image_file")
        .order_by("-published_at", "-id")
    )


def latest_posts(*, limit: int = LANDING_POST_COUNT) -> list[Blog]:
    return list(public_posts()[:limit])


@dataclass(frozen=True)
class BlogPage:
    posts: list[Blog]
    next_cursor: str | None
    is_first: bool


def blog_page(*, after: str | None = None, page_size: int = BLOG_PAGE_SIZE) -> BlogPage:
    """One page of the public list after the cursor ``after``; ``BadCursor`` for
    a cursor we did not write. The cursor is the last post's (published_at, id);
    the id breaks ties, so posts published at the same moment are neither
    repeated nor skipped."""
    rows, next_cursor = newest_first_page(
        public_posts(), time_field="published_at", after=after, size=page_size
    )
    return BlogPage(posts=rows, next_cursor=next_cursor, is_first=not after)


def public_post(pk: uuid.UUID) -> Blog:
    """A published post; Http404 for a draft, a scheduled post or no post."""
    try:
        return public_posts().get(pk=pk)
    except Blog.DoesNotExist:
        raise Http404 from None


def previewable_post(user, pk: uuid.UUID) -> Blog:
    """Any post, draft or not, for a platform operator; Http404 for anyone
    else, as if the address did not exist."""
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser):
        raise Http404
    try:
        return Blog.objects.select_related("image_file").get(pk=pk)
    except Blog.DoesNotExist:
        raise Http404 from None


def feed_posts() -> list[Blog]:
    return list(public_posts()[:FEED_POST_COUNT])


def sitemap_posts() -> QuerySet[Blog]:
    """Every published post, for the sitemap (which pages it by itself)."""
    return (
        Blog.objects.published()
        .order_by("-published_at", "-id")
        .only("id", "updated_at", "published_at")
    )
