"""Placeholder: helper C replaces this module (feed)."""

from django.http import Http404


def feed(request, **kwargs):
    raise Http404
