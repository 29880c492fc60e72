"""Web push endpoints: subscribe / unsubscribe this browser. The service worker
that shows the messages is the site's own (sqeeze.pwa, at /sw.js)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications.models import Subscription
from notifications.push_endpoints import SUBSCRIPTION_MAX_BYTES
from notifications.push_services import push_subscription_delete, push_subscription_save
from notifications.push_ui import browser_label


def _wants_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json" or "application/json" in request.headers.get(
        "Accept", ""
    )


def _answer(
    request: HttpRequest, *, ok: bool, message: str, status: int, data: dict | None = None
) -> HttpResponse:
    """JSON for the script; for a plain form (or htmx) a message and the settings page."""
    if _wants_json(request):
        body = {"ok": ok, ("message" if ok else "error"): message, **(data or {})}
        return JsonResponse(body, status=status)
    (messages.success if ok else messages.error)(request, message)
    if request.htmx:
        response = HttpResponse(status=204 if ok else status)
        response["HX-Redirect"] = reverse("notifications:preferences")
        return response
    return redirect("notifications:preferences")


def _too_large(request: HttpRequest) -> bool:
    """Refuse big bodies before reading them; push_subscription_clean checks the
    subscription text itself against SUBSCRIPTION_MAX_BYTES too."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    # A form-encoded field travels percent-encoded, next to the CSRF token: more room.
    limit = SUBSCRIPTION_MAX_BYTES * (1 if request.content_type == "application/json" else 3)
    return declared > limit


def _too_large_error() -> ValidationError:
    return ValidationError(
        _("The subscription is too large (at most %(limit)d bytes).")
        % {"limit": SUBSCRIPTION_MAX_BYTES}
    )


def _subscription_text(request: HttpRequest) -> str:
    if _too_large(request):
        raise _too_large_error()
    if request.content_type == "application/json":
        if len(request.body) > SUBSCRIPTION_MAX_BYTES:
            raise _too_large_error()
        try:
            return request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(_("The subscription is not valid UTF-8 JSON.")) from None
    text = request.POST.get("subscription")
    if not text:
        raise ValidationError(
            _("Send the browser's subscription as JSON, or in the form field “subscription”.")
        )
    return text


def _subscription_data(subscription: Subscription) -> dict:
    created = (
        formats.date_format(timezone.localtime(subscription.created_at), "DATETIME_FORMAT")
        if subscription.created_at
        else ""
    )
    return {
        "endpoint": subscription.endpoint,
        "browser": browser_label(subscription.user_agent),
        "created_at": subscription.created_at.isoformat() if subscription.created_at else None,
        "created_at_display": created,
    }


@login_required
@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    try:
        subscription = push_subscription_save(
            user=request.user,
            subscription_json=_subscription_text(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except ValidationError as error:
        return _answer(request, ok=False, message=" ".join(error.messages), status=400)
    return _answer(
        request,
        ok=True,
        message=_("Push notifications are on for this browser."),
        status=200,
        data={"subscription": _subscription_data(subscription)},
    )


@login_required
@require_POST
def unsubscribe(request: HttpRequest) -> HttpResponse:
    if _too_large(request):
        return _answer(request, ok=False, message=str(_too_large_error().messages[0]), status=400)
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body)
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("endpoint"), str):
            return _answer(
                request,
                ok=False,
                message=_('Send the browser\'s endpoint as JSON: {"endpoint": "…"}.'),
                status=400,
            )
        endpoint = body["endpoint"]
    else:
        endpoint = request.POST.get("endpoint", "")
        if not endpoint:
            return _answer(
                request, ok=False, message=_("Which browser? The endpoint is missing."), status=400
            )
    if not push_subscription_delete(user=request.user, endpoint=endpoint):
        # Someone else's browser answers exactly like an unknown one.
        return _answer(
            request,
            ok=False,
            message=_("This browser is not subscribed to your push notifications."),
            status=404,
        )
    return _answer(
        request, ok=True, message=_("Push notifications are off for that browser."), status=200
    )
