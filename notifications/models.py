"""In-app notifications, browser push subscriptions and the outgoing e-mail queue."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.db import DatabaseNow, TextLineField, created_at_field, updated_at_field, uuid_pk


class Notification(models.Model):
    id = uuid_pk()
    receiver = models.ForeignKey(
        "accounts.Profile",
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("receiver"),
    )
    type = TextLineField(_("type"))
    message = models.CharField(_("message"), max_length=None)  # the seed's unbounded VARCHAR
    link = models.TextField(_("link"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = created_at_field()
    notification_json = models.TextField(_("payload (JSON)"), null=True, blank=True)
    # When a worker decided this row's e-mail and push (notifications.fan_out);
    # empty until then. Rows with nothing to send (in-app-only types) are born
    # done. Claiming the row sets it, so a row is fanned out once.
    fanned_out_at = models.DateTimeField(
        _("e-mail and push handled at"),
        null=True,
        blank=True,
        db_comment="이메일·푸시 발송 처리를 마친 시각 (비어 있으면 워커가 처리할 차례)",
    )

    class Meta:
        db_table = "notifications"
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            # Inbox: my notifications, newest first, keyset on (created_at, id).
            models.Index(
                "receiver",
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="notifications_inbox_idx",
            ),
            # Unread badge on every page: a small partial index keeps it one cheap count.
            models.Index(
                fields=["receiver"],
                condition=Q(read_at__isnull=True),
                name="notifications_unread_idx",
            ),
            # The beat sweep's "still to fan out": a handful of rows at most.
            models.Index(
                fields=["created_at"],
                condition=Q(fanned_out_at__isnull=True),
                name="notifications_fan_out_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.message[:60]


class Subscription(models.Model):
    """One browser's Web Push subscription (its JSON) for a user."""

    id = uuid_pk()
    user = models.ForeignKey(
        "accounts.Profile",
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
        verbose_name=_("user"),
    )
    notification_json = models.TextField(_("subscription (JSON)"))
    created_at = created_at_field()
    # Additions (migration 0002): the push service URL from the JSON, unique
    # because it names one browser (re-subscribing updates the row), and the
    # browser's name for the settings page.
    endpoint = models.TextField(_("push service URL"), null=True, blank=True, unique=True)
    user_agent = TextLineField(_("browser"), null=True, blank=True)

    class Meta:
        db_table = "subscriptions"
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d}" if self.created_at else str(self.user)


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class EmailQueueQuerySet(models.QuerySet):
    """Delivery state from two columns: ``processed`` (the seed's) and ``failed_at``."""

    def pending(self) -> EmailQueueQuerySet:
        return self.filter(processed=False)

    def sent(self) -> EmailQueueQuerySet:
        return self.filter(processed=True, failed_at__isnull=True)

    def failed(self) -> EmailQueueQuerySet:
        return self.filter(processed=True, failed_at__isnull=False)


class EmailQueue(models.Model):
    """An outgoing e-mail, written in the request and sent later by a Celery worker."""

    id = models.AutoField(primary_key=True)
    recipient_email = TextLineField(_("recipient e-mail"))
    recipient_name = TextLineField(_("recipient name"), null=True, blank=True)
    subject = TextLineField(_("subject"))
    content = models.TextField(_("content"))
    content_ref_id = models.UUIDField(_("about (id)"), null=True, blank=True)
    created_at = created_at_field()
    processed = models.BooleanField(
        _("processed"), null=True, blank=True, default=False, db_default=False
    )
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    status_code = models.IntegerField(_("status code"), null=True, blank=True)
    response = models.TextField(_("response"), null=True, blank=True)
    error_message = models.TextField(_("error"), null=True, blank=True)
    retry_count = models.IntegerField(_("retries"), null=True, blank=True, default=0, db_default=0)
    # Additions (migration 0002): what a full e-mail needs, and delivery state.
    from_email = TextLineField(_("sender"), null=True, blank=True)
    html_content = models.TextField(_("HTML content"), null=True, blank=True)
    headers = models.JSONField(_("extra headers"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"), default=timezone.now, db_default=DatabaseNow()
    )
    failed_at = models.DateTimeField(_("gave up at"), null=True, blank=True)

    objects = EmailQueueQuerySet.as_manager()

    class Meta:
        db_table = "email_queue"
        verbose_name = _("queued e-mail")
        verbose_name_plural = _("e-mail queue")
        ordering = ["-created_at"]
        indexes = [
            # The drainer reads unprocessed rows that are due, oldest first; sent
            # and failed rows leave the index, so it stays small.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(processed=False),
                name="email_queue_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_email}: {self.subject}"

    @property
    def status(self) -> EmailStatus:
        if not self.processed:
            return EmailStatus.PENDING
        return EmailStatus.FAILED if self.failed_at else EmailStatus.SENT


class NotificationPreference(models.Model):
    """A person's choice of channels for one notification type. In-app is always
    on; without a row, the type's defaults apply (``notifications.types``)."""

    id = uuid_pk()
    user = models.ForeignKey(
        "accounts.Profile",
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    notification_type = TextLineField(_("notification type"))
    email = models.BooleanField(_("e-mail"), default=True, db_default=True)
    push = models.BooleanField(_("push"), default=True, db_default=True)
    # Types that offer one (teachers' "submission"): also one e-mail a day that
    # sums up the day's rows, instead of or besides one mail per row.
    daily_digest = models.BooleanField(_("daily digest"), default=False, db_default=False)
    created_at = created_at_field()
    updated_at = updated_at_field()

    class Meta:
        db_table = "notification_preferences"
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "notification_type"], name="notification_preferences_one_per_type"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.notification_type}"


class DigestDelivery(models.Model):
    """One daily digest sent to one person, for one day (in the academy's zone).
    Not in the seed: the unique row makes the beat task send each digest once,
    even when two runs overlap or a run is retried."""

    id = uuid_pk()
    receiver = models.ForeignKey(
        "accounts.Profile",
        on_delete=models.CASCADE,
        related_name="digest_deliveries",
        verbose_name=_("receiver"),
    )
    notification_type = TextLineField(_("notification type"))
    period_end = models.DateTimeField(_("covers up to"))
    sent_on = models.DateField(_("day"))
    created_at = created_at_field()

    class Meta:
        db_table = "digest_deliveries"
        verbose_name = _("digest delivery")
        verbose_name_plural = _("digest deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["receiver", "notification_type", "sent_on"], name="digest_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receiver} · {self.notification_type} · {self.sent_on}"
