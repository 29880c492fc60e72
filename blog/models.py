"""The public blog."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sqeeze.db import TextLineField, created_at_field, updated_at_field, uuid_pk

# The seed's default cover; pages show our own placeholder instead (no CDN).
SEED_PLACEHOLDER_IMAGE_URL = "https://picsum.photos/980/540"


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

    class Meta:
        db_table = "blog"
        verbose_name = _("blog post")
        verbose_name_plural = _("blog posts")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
