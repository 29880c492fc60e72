"""Placeholder: helper B replaces this module."""

from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


post_submit = post_detail = post_edit = post_delete = like_toggle = _todo
comment_create = comment_edit = comment_delete = _todo
