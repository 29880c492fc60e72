"""The refused-form page (CSRF_FAILURE_VIEW).

The other error pages need no view of ours: Django's defaults render
templates/400.html, 403.html, 404.html (with the request, so in the site's
look with the person's menu) and 500.html (without it: see that template).
Django's own CSRF page, though, renders 403_csrf.html without the request, so
it would lose the menu and the language form; this view renders it properly
and offers the page the form came from, to reload.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    context = {
        "reload_url": _page_of_the_form(request),
        # Why Django refused, for developers only (a visitor learns nothing from it).
        "reason": reason if settings.DEBUG else "",
    }
    return render(request, "403_csrf.html", context, status=403)


def _page_of_the_form(request: HttpRequest) -> str | None:
    """The page the refused form was on (the Referer, when it is ours)."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return None
