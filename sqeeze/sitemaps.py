"""/sitemap.xml: the public pages (landing, blog list, the consultation form)
and the published blog posts. Nothing behind a log-in is listed."""

from __future__ import annotations

from django.urls import reverse

from blog.sitemaps import BlogPostSitemap
from core.seo import SiteURLSitemap


class PublicPagesSitemap(SiteURLSitemap):
    changefreq = "weekly"
    priority = 1.0

    def items(self) -> list[str]:
        return ["landing", "blog:list", "inquiries:inquiry"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {"pages": PublicPagesSitemap, "blog": BlogPostSitemap}
