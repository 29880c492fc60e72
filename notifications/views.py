"""The inbox, opening a notification, "mark all read" and notification settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.keyset import BadCursor
from notifications import selectors, services
from notifications.forms import PreferencesForm
from notifications.models import Notification
from notifications.push_ui import push_control_context
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
    current = services.preferences_of(request.user)
    form = PreferencesForm(request.POST or None, current=current, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.preferences_save(user=request.user, choices=form.choices())
        if form.offers_digest:
            digest_preference_save(user=request.user, enabled=form.digest_choice())
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    context = {"form": form, **push_control_context(request)}
    return render(request, "notifications/preferences.html", context)
