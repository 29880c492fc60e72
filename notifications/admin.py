"""Admin for notifications, push subscriptions and the outgoing e-mail queue."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_scoping import SuperuserOnlyAdmin, is_platform_operator
from notifications.email_backend import email_queue_retry
from notifications.models import EmailQueue, EmailStatus, Notification, Subscription


# Notifications and push subscriptions are their receiver's alone (Row Level
# Security, sqeeze/migrations/0002): platform operators only, not academy admins.
@admin.register(Notification)
class NotificationAdmin(SuperuserOnlyAdmin):
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
class SubscriptionAdmin(SuperuserOnlyAdmin):
    list_display = ("user", "user_agent", "endpoint_host", "created_at")
    list_select_related = ("user",)
    search_fields = ("user__email", "user__first_name", "user__last_name", "user_agent", "endpoint")
    autocomplete_fields = ("user",)
    # Browsers write subscriptions; admins may look at them or delete them.
    readonly_fields = ("endpoint", "notification_json", "user_agent", "created_at")
    date_hierarchy = "created_at"

    @admin.display(description=_("push service"))
    def endpoint_host(self, subscription: Subscription) -> str:
        return urlsplit(subscription.endpoint or "").hostname or "—"


class EmailStatusFilter(admin.SimpleListFilter):
    """pending / sent / failed, from the same queryset methods the code uses."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return list(EmailStatus.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        match self.value():
            case EmailStatus.PENDING:
                return queryset.pending()
            case EmailStatus.SENT:
                return queryset.sent()
            case EmailStatus.FAILED:
                return queryset.failed()
        return queryset


@admin.register(EmailQueue)
class EmailQueueAdmin(SuperuserOnlyAdmin):
    """Platform-wide: one queue for every organization's mail.

    Read-only: rows are written by Django's mail system and the delivery
    worker, and an operator must not be able to fake a delivery or reword a
    queued e-mail. The one thing to do here is "Retry now".
    """

    list_display = (
        "recipient",
        "subject",
        "status",
        "retry_count",
        "next_attempt_at",
        "processed_at",
        "status_code",
    )
    list_display_links = ("recipient", "subject")
    list_filter = (EmailStatusFilter, "status_code")
    search_fields = ("recipient_email", "recipient_name", "subject")
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    fieldsets = (
        (
            None,
            {"fields": ("recipient_email", "recipient_name", "from_email", "subject")},
        ),
        (
            _("Content"),
            {"fields": ("content", "html_content", "headers", "content_ref_id")},
        ),
        (
            _("Delivery"),
            {
                "fields": (
                    "status",
                    "created_at",
                    "next_attempt_at",
                    "retry_count",
                    "processed_at",
                    "failed_at",
                    "status_code",
                    "response",
                    "error_message",
                )
            },
        ),
    )
    readonly_fields = tuple(field for fieldset in fieldsets for field in fieldset[1]["fields"])

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # View permission alone: Django shows every field read-only, without Save.
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return is_platform_operator(request)

    @admin.display(description=_("recipient"), ordering="recipient_email")
    def recipient(self, mail: EmailQueue) -> str:
        if mail.recipient_name:
            return f"{mail.recipient_name} <{mail.recipient_email}>"
        return mail.recipient_email

    @admin.display(description=_("status"))
    def status(self, mail: EmailQueue) -> str:
        return mail.status.label

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = email_queue_retry(ids=queryset.values_list("pk", flat=True))
        skipped = queryset.count() - count
        self.message_user(
            request,
            ngettext(
                "%(count)d e-mail will be sent again shortly.",
                "%(count)d e-mails will be sent again shortly.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d e-mail was left alone: it was sent already or is being sent.",
                    "%(count)d e-mails were left alone: they were sent already or are being sent.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
