"""Placeholder: helper A replaces this module (join, journey_detail, plan, invite_regenerate)."""

from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


join = journey_detail = plan = invite_regenerate = _todo
