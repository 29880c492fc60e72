"""Journey pages of this app: joining through an invite link, the journey's
address (which opens the plan), the plan tab and replacing the invite link.
The other tabs live in the apps of their domain (community, points, teams)."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.seo import is_link_preview_crawler
from journeys import selectors, services
from journeys.access import journey_for
from journeys.models import Journey

# The invite link someone opened while logged out. Log-in keeps the session's
# data, so after signing up, confirming the e-mail and logging in, the home
# page finds it and sends them back to the link (``pending_invite_redirect``).
PENDING_INVITE_SESSION_KEY = "journeys:pending_invite"


# --- the pending invite, kept across log-in -------------------------------------------


def remember_pending_invite(request: HttpRequest, token: str) -> None:
    request.session[PENDING_INVITE_SESSION_KEY] = token


def pending_invite_redirect(request: HttpRequest) -> HttpResponse | None:
    """A redirect to the invite link this person opened before logging in, or
    None. Used once: the link is forgotten as soon as it is followed."""
    token = request.session.pop(PENDING_INVITE_SESSION_KEY, None)
    if not isinstance(token, str) or selectors.journey_by_invite_token(token) is None:
        return None
    return redirect("journeys:join", token=token)


# --- joining ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the journey and a Join button; POST enrols. Logged out, the
    person logs in (or signs up) first and comes back here; a link-preview
    crawler gets the journey's public card (``_join_logged_out``)."""
    journey = selectors.journey_by_invite_token(token)
    if journey is None:
        return render(request, "journeys/join_invalid.html", status=404)
    user = request.user
    if not user.is_authenticated:
        return _join_logged_out(request, journey, token)
    request.session.pop(PENDING_INVITE_SESSION_KEY, None)
    if selectors.can_manage_journey(user, journey):
        return redirect("missions:plan", journey_id=journey.pk)
    if selectors.is_enrolled(user=user, journey=journey):
        messages.info(request, _("You are already in %(journey)s.") % {"journey": journey.name})
        return redirect("missions:plan", journey_id=journey.pk)
    refusal = services.join_refusal(journey=journey, user=user)
    if refusal is None and request.method == "POST":
        try:
            result = services.journey_join(journey=journey, user=user)
        except PermissionDenied as error:
            refusal = str(error)
        else:
            _welcome(request, journey, created=result.created)
            return redirect("missions:plan", journey_id=journey.pk)
    context = {"journey": journey, "refusal": refusal, "token": token}
    return render(request, "journeys/join.html", context, status=403 if refusal else 200)


# The logged-out page's buttons: ``?to=login`` and ``?to=signup``.
_LOGGED_OUT_STEPS = frozenset({"login", "signup"})


def _join_logged_out(request: HttpRequest, journey: Journey, token: str) -> HttpResponse:
    """Logged out. A crawler drawing the link's preview (KakaoTalk, Slack …) gets
    a small public page: the journey's name, cover and academy, in Open Graph
    tags too, and nothing more; it gets no session either. A person is sent to
    log in (or, from that page's buttons, to sign up) and comes back here: the
    token is remembered in the session and the way back is in ``next``."""
    step = request.GET.get("to")
    if (
        step not in _LOGGED_OUT_STEPS
        and request.method == "GET"
        and is_link_preview_crawler(request)
    ):
        context = {"journey": journey, "token": token, "preview": True}
        response = render(request, "journeys/join.html", context)
        response["X-Robots-Tag"] = "noindex, nofollow"  # a bearer link: never in search results
    else:
        remember_pending_invite(request, token)
        messages.info(
            request,
            _("Log in or sign up to join %(journey)s.") % {"journey": journey.name},
        )
        back = reverse("journeys:join", args=[token])
        if step == "signup":
            response = redirect(f"{reverse('account_signup')}?{urlencode({'next': back})}")
        else:
            response = redirect_to_login(back)
    # One address, two answers: caches must not hand a crawler's page to a person.
    patch_vary_headers(response, ["User-Agent"])
    return response


def _welcome(request: HttpRequest, journey: Journey, *, created: bool) -> None:
    if created:
        messages.success(
            request,
            _("Welcome to %(journey)s! Here is your plan: missions open week by week.")
            % {"journey": journey.name},
        )
    else:
        messages.info(request, _("You are already in %(journey)s.") % {"journey": journey.name})


# --- the journey and its plan -------------------------------------------------------------


@login_required
@require_GET
def journey_detail(request: HttpRequest, journey_id: uuid.UUID) -> HttpResponse:
    """A journey's own address opens its first tab, the plan."""
    journey = journey_for(request.user, journey_id)
    return redirect("missions:plan", journey_id=journey.pk)


# --- the invite link ------------------------------------------------------------------------


@login_required
@require_POST
def invite_regenerate(request: HttpRequest, journey_id: uuid.UUID) -> HttpResponse:
    """Replace the journey's invite link; links shared before stop working.
    Anyone but its teachers gets 404, like for a journey they cannot see."""
    journey = journey_for(request.user, journey_id)
    if not selectors.can_manage_journey(request.user, journey):
        raise Http404
    services.journey_invite_regenerate(journey=journey, by=request.user)
    messages.success(request, _("A new invite link is ready. The previous link no longer works."))
    return redirect(_safe_next(request) or journey_plan_url(journey))


def journey_plan_url(journey: Journey) -> str:
    return reverse("missions:plan", args=[journey.pk])


def _safe_next(request: HttpRequest) -> str | None:
    """The page the form came from (``next``), when it is one of ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None
