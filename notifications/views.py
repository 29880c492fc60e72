"""The inbox, opening a notification, "mark all read", notification settings,
and Web Push: subscribe / unsubscribe this browser (the service worker that
shows the messages is the site's own, sqeeze.pwa at /sw.js).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.keyset import BadCursor
from notifications import selectors, services
from notifications.forms import PreferencesForm
from notifications.models import Notification, Subscription
from notifications.push_endpoints import SUBSCRIPTION_MAX_BYTES
from notifications.push_services import push_subscription_delete, push_subscription_save
from notifications.push_ui import browser_label, push_control_context
from notifications.services import digest_preference_save


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    try:
        page = selectors.inbox_page(request.user, after=request.GET.get("after"))
    except BadCursor:
        return HttpResponseBadRequest(_("This page of notifications does not exist."))
    context = {"page": page}
    if request.htmx and request.GET.get("after"):
        # "Show older" appends the next page in place of its own button.
        return render(request, "notifications/inbox.html#notification-page", context)
    return render(request, "notifications/inbox.html", context)


@login_required
@require_GET
def open_notification(request: HttpRequest, pk) -> HttpResponse:
    # Someone else's notification answers 404, exactly like a missing one.
    notification = get_object_or_404(Notification, pk=pk, receiver=request.user)
    services.notification_read(notification=notification)
    link = notification.link or ""
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_read_all(receiver=request.user)
    if request.htmx:
        page = selectors.inbox_page(request.user)
        response = render(request, "notifications/inbox.html#inbox-body", {"page": page})
        response["HX-Trigger"] = "notifications-read"
        return response
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked as read.",
            "%(count)d notifications marked as read.",
            count,
        )
        % {"count": count},
    )
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = selectors.preferences_of(request.user)
    form = PreferencesForm(request.POST or None, current=current, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.preferences_save(user=request.user, choices=form.choices())
        if form.offers_digest:
            digest_preference_save(user=request.user, enabled=form.digest_choice())
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    context = {"form": form, **push_control_context(request)}
    return render(request, "notifications/preferences.html", context)


# --- web push -----------------------------------------------------------------


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
