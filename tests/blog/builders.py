"""Blog posts for tests: published a day ago unless told otherwise."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from blog.models import Blog


class BlogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Blog

    title = factory.Sequence(lambda n: f"Post {n}")
    subtitle = factory.Sequence(lambda n: f"What post {n} is about")
    content = "## Hello\n\nA paragraph of **Markdown**."
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))


def draft(**fields) -> Blog:
    return BlogFactory(published_at=None, **fields)


def scheduled(**fields) -> Blog:
    return BlogFactory(published_at=timezone.now() + dt.timedelta(days=2), **fields)
