"""The blog's RSS feed (/blog/feed/): the latest published posts.

Every address in it is absolute on ``SITE_URL`` (the syndication framework
would otherwise take the Sites framework's domain)."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.translation import gettext as _

from blog import selectors
from blog.models import Blog
from core.links import absolute_url


class LatestPostsFeed(Feed):
    def title(self) -> str:
        return _("Sqeeze blog")

    def description(self) -> str:
        return _("News and stories from Sqeeze, the learning-mission platform for academies.")

    def link(self) -> str:
        return absolute_url(reverse("blog:list"))

    def feed_url(self) -> str:
        return absolute_url(reverse("blog:feed"))

    def items(self) -> list[Blog]:
        return selectors.feed_posts()

    def item_title(self, item: Blog) -> str:
        return item.title

    def item_description(self, item: Blog) -> str:
        return item.summary

    def item_link(self, item: Blog) -> str:
        return absolute_url(item.get_absolute_url())

    def item_pubdate(self, item: Blog) -> dt.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Blog) -> dt.datetime:
        return item.updated_at
