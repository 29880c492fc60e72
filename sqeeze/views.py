"""Site-wide pages: the visitors' landing page, the signed-in home, /healthz
and /robots.txt, and the header's language switcher."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe
from django.views.i18n import set_language

from accounts.services import profile_language_set
from blog import selectors as blog_selectors
from core.links import absolute_url
from core.moments import is_known_language
from journeys.views import pending_invite_redirect
from sqeeze import health
from sqeeze import home as home_selectors


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    """What Sqeeze does, the latest blog posts and a way to ask for a
    consultation. People who are logged in go to their home page."""
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "sqeeze/landing.html", {"latest_posts": blog_selectors.latest_posts()})


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    context = {"sitemap_url": absolute_url(reverse("sitemap"))}
    return render(request, "sqeeze/robots.txt", context, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """My journeys, my latest notifications and (students) my latest posts.
    Someone who opened an invite link before logging in is sent back to it."""
    pending_invite = pending_invite_redirect(request)
    if pending_invite is not None:
        return pending_invite
    user = request.user
    context = {
        "journeys": list(home_selectors.home_journeys(user)),
        "latest_notifications": home_selectors.home_notifications(user),
        "my_posts": [] if user.is_teacher else home_selectors.home_posts(user),
    }
    return render(request, "sqeeze/home.html", context)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    return redirect(static("icons/sqeeze.svg"), permanent=True)


@never_cache
@require_safe  # HEAD too: load balancers and uptime checks often ask with HEAD
def healthz(request: HttpRequest) -> JsonResponse:
    problems = {
        "database": health.check_database(health.database_connection()),
        "broker": health.check_broker(),
    }
    body = {
        name: ("ok" if problem is None else f"unavailable: {problem}")
        for name, problem in problems.items()
    }
    healthy = all(problem is None for problem in problems.values())
    body["status"] = "ok" if healthy else "unavailable"
    return JsonResponse(body, status=200 if healthy else 503)


def language_set(request: HttpRequest) -> HttpResponse:
    """The header's language switcher (``/i18n/setlang/``): Django's
    ``set_language`` sets the cookie and goes back to ``next``; for a signed-in
    person the choice is stored on their profile as well. Otherwise the
    middleware, which prefers the profile's language over the cookie, would
    switch the next page back, and their e-mails would not follow."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.method == "POST" and request.user.is_authenticated and is_known_language(language):
        profile_language_set(profile=request.user, language=language)
    return response
