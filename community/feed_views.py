"""The journey's Feed tab: posts newest first (or most liked), searchable,
paged by key; "More" appends the next page in place with htmx, or opens it as
a page of its own without JavaScript."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from community.feed import FeedSort, clean_search, feed_page
from core.keyset import BadCursor
from journeys.access import journey_for


def _sort_from(raw: str | None) -> FeedSort:
    # An unknown sort is not worth an error page: the default order is shown.
    return FeedSort(raw) if raw in FeedSort.values else FeedSort.NEWEST


@login_required
@require_GET
def feed(request: HttpRequest, journey_id) -> HttpResponse:
    journey = journey_for(request.user, journey_id)
    sort = _sort_from(request.GET.get("sort"))
    search = clean_search(request.GET.get("q"))
    after = request.GET.get("after") or None
    try:
        page = feed_page(user=request.user, journey=journey, sort=sort, search=search, after=after)
    except BadCursor:
        return HttpResponseBadRequest(_("This page of the feed does not exist."))
    context = {
        "journey": journey,
        "active_tab": "feed",
        "page": page,
        "sort": sort,
        "sorts": FeedSort,
        "search": search,
    }
    if request.htmx and after:
        # "More" swaps its own button for the next page's cards (and next button).
        response = render(request, "community/feed.html#feed-page", context)
    else:
        response = render(request, "community/feed.html", context)
    # The same URL answers a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response
