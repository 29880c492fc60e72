"""The public blog: posts written by the platform operators in Django admin,
shown to everyone at /blog/ once published."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from core.db import TextLineField, created_at_field, updated_at_field, uuid_pk
from core.markdown import markdown_excerpt_text
from files.links import display_url

# The seed's default cover; pages show our own placeholder instead (no CDN).
SEED_PLACEHOLDER_IMAGE_URL = "https://picsum.photos/980/540"
# Hosts that only serve random stock pictures: a cover pointing there is "no cover".
PLACEHOLDER_IMAGE_HOSTS = frozenset({"picsum.photos"})

# Search results and link previews cut descriptions at about this length.
SUMMARY_LENGTH = 160


def is_placeholder_image(url: str | None) -> bool:
    """Is ``url`` the seed's stock picture (or another from its service)? Pages
    never fetch it: a third party would learn who reads what, and it is not
    the post's picture anyway."""
    if not url:
        return False
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return False
    return host in PLACEHOLDER_IMAGE_HOSTS


class BlogQuerySet(models.QuerySet):
    def published(self, *, now: dt.datetime | None = None) -> BlogQuerySet:
        """Posts the public may read: a publication time that has come. NULL is
        a draft; a time in the future is a post scheduled for later."""
        return self.filter(published_at__isnull=False, published_at__lte=now or timezone.now())


class Blog(models.Model):
    id = uuid_pk()
    title = TextLineField(_("title"))
    subtitle = TextLineField(_("subtitle"), null=True, blank=True)
    content = models.TextField(_("content (Markdown)"))
    created_at = created_at_field(null=False)
    updated_at = updated_at_field(null=False)
    image_url = models.TextField(
        _("cover image URL"),
        null=True,
        blank=True,
        default=SEED_PLACEHOLDER_IMAGE_URL,
        db_default=SEED_PLACEHOLDER_IMAGE_URL,
    )
    # Addition to the seed (see migration 0002): a cover uploaded through the
    # files service; ``image_url`` stays as the fallback for older rows.
    image_file = models.ForeignKey(
        "files.File",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cover image"),
    )
    # Addition to the seed (see migration 0002): NULL is a draft.
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_(
            "Empty: a draft, visible only to operators. A time in the future: "
            "the post appears at that time."
        ),
    )

    objects = BlogQuerySet.as_manager()

    class Meta:
        db_table = "blog"
        verbose_name = _("blog post")
        verbose_name_plural = _("blog posts")
        ordering = ["-created_at"]
        indexes = [
            # The public list: newest first, paged by key on (published_at, id).
            models.Index(
                fields=["-published_at", "-id"],
                name="blog_published_idx",
                condition=Q(published_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("blog:post", args=[self.pk])

    def is_public(self, *, now: dt.datetime | None = None) -> bool:
        return self.published_at is not None and self.published_at <= (now or timezone.now())

    @property
    def cover_url(self) -> str | None:
        """The cover's address: the uploaded file, else ``image_url`` when it is a
        safe address and not the seed's stock picture; None means "show our
        placeholder". Lists: ``select_related("image_file")``."""
        legacy = None if is_placeholder_image(self.image_url) else self.image_url
        return display_url(self.image_file, legacy)

    @property
    def summary(self) -> str:
        """One line for cards, feeds and meta descriptions: the subtitle, else
        the start of the text."""
        if self.subtitle and self.subtitle.strip():
            return self.subtitle.strip()
        return Truncator(markdown_excerpt_text(self.content, SUMMARY_LENGTH)).chars(SUMMARY_LENGTH)
