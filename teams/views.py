"""Placeholder: helper D replaces this module (team_page and team actions)."""

from django.http import Http404


def team_page(request, **kwargs):
    raise Http404
