"""The public blog: the list of published posts, a post's page, and the
operator's preview of any post (drafts included) in the same template."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from blog import selectors
from core.keyset import BadCursor


@require_GET
def post_list(request: HttpRequest) -> HttpResponse:
    try:
        page = selectors.blog_page(after=request.GET.get("after") or None)
    except BadCursor:
        return HttpResponseBadRequest(_("This page of the blog does not exist."))
    return render(request, "blog/list.html", {"page": page})


@require_GET
def post_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A published post; a draft or a scheduled post answers 404."""
    post = selectors.public_post(pk)
    return render(request, "blog/post.html", {"post": post, "preview": False})


@never_cache
@require_GET
def post_preview(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Any post as the public will see it, for platform operators (404 for
    anyone else). Never indexed, never cached."""
    post = selectors.previewable_post(request.user, pk)
    response = render(request, "blog/post.html", {"post": post, "preview": True})
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
