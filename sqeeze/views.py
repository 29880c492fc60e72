"""Site-wide pages: the visitors' landing page, the signed-in home and /healthz."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from journeys.models import Journey
from sqeeze import health


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "sqeeze/landing.html")


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    journeys = (
        Journey.objects.visible_to(request.user)
        .select_related("image_file")
        .annotate(
            member_count=Count("memberships", distinct=True),
            week_count=Count("weeks", distinct=True),
        )
        .order_by("-date_start", "name")
    )
    return render(request, "sqeeze/home.html", {"journeys": journeys})


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    return redirect(static("icons/sqeeze.svg"), permanent=True)


@never_cache
@require_GET
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
