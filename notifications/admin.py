"""Admin for notifications, push subscriptions and the outgoing e-mail queue."""

from __future__ import annotations

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from notifications.models import EmailQueue, Notification, Subscription
from sqeeze.admin_scoping import SuperuserOnlyAdmin, TenantScopedAdmin


@admin.register(Notification)
class NotificationAdmin(TenantScopedAdmin):
    organization_path = "receiver__organization"
    list_display = ("excerpt", "type", "receiver", "read_at", "created_at")
    list_filter = ("type", ("read_at", admin.EmptyFieldListFilter))
    list_select_related = ("receiver",)
    search_fields = ("message", "type", "receiver__email")
    autocomplete_fields = ("receiver",)
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"

    @admin.display(description=_("message"))
    def excerpt(self, notification: Notification) -> str:
        return Truncator(notification.message).chars(80)


@admin.register(Subscription)
class SubscriptionAdmin(TenantScopedAdmin):
    organization_path = "user__organization"
    list_display = ("user", "created_at")
    list_select_related = ("user",)
    search_fields = ("user__email", "user__first_name", "user__last_name")
    autocomplete_fields = ("user",)
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"


@admin.register(EmailQueue)
class EmailQueueAdmin(SuperuserOnlyAdmin):
    """Platform-wide: one queue for every organization's mail."""

    list_display = (
        "id",
        "recipient_email",
        "subject",
        "processed",
        "status_code",
        "retry_count",
        "created_at",
    )
    list_filter = ("processed", "status_code")
    search_fields = ("recipient_email", "recipient_name", "subject")
    # The worker writes the delivery columns; an operator reading them should
    # not be able to fake a delivery.
    readonly_fields = ("created_at", "processed_at", "status_code", "response", "error_message")
    date_hierarchy = "created_at"
