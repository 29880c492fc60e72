"""The blog's part of /sitemap.xml: published posts only, never a draft or a
post scheduled for later."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from blog import selectors
from blog.models import Blog
from core.seo import SiteURLSitemap


class BlogPostSitemap(SiteURLSitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self) -> QuerySet[Blog]:
        return selectors.sitemap_posts()

    def lastmod(self, item: Blog) -> dt.datetime:
        # A scheduled post appears later than its last edit.
        return max(item.updated_at, item.published_at)
