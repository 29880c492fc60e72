"""Notifications backbone (issue 3): e-mail delivery state, channel preferences,
push subscription endpoints.

email_queue additions:
- from_email, html_content, headers: the seed keeps only a text body; a real
  e-mail (allauth's included) also has a sender, an HTML part and headers
  such as Reply-To.
- next_attempt_at: temporary failures retry with exponential backoff; the
  drainer takes only rows that are due.
- failed_at: set when retries are exhausted or the server refused for good,
  so "failed" is visible (and retryable) in admin. pending = not processed;
  sent = processed without failed_at; failed = processed with failed_at.
- email_queue_due_idx replaces email_queue_pending_idx: the drainer orders due
  rows by next_attempt_at, not created_at.

subscriptions additions:
- endpoint (UNIQUE): the push service URL from notification_json; it names one
  browser, so subscribing again updates the row instead of adding a duplicate,
  and a 404/410 from the push service deletes exactly that browser.
- user_agent: shown on the settings page, so people can tell browsers apart.

notification_preferences (new): one row per person and notification type with
the chosen channels (e-mail, push); in-app is always on and a missing row
means the type's defaults.
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import core.db


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="NotificationPreference",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        db_default=core.db.GenRandomUUID(),
                        default=uuid.uuid4,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("notification_type", core.db.TextLineField(verbose_name="notification type")),
                (
                    "email",
                    models.BooleanField(db_default=True, default=True, verbose_name="e-mail"),
                ),
                ("push", models.BooleanField(db_default=True, default=True, verbose_name="push")),
                (
                    "created_at",
                    models.DateTimeField(
                        db_default=core.db.DatabaseNow(),
                        editable=False,
                        null=True,
                        verbose_name="created at",
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(
                        auto_now=True,
                        db_default=core.db.DatabaseNow(),
                        null=True,
                        verbose_name="updated at",
                    ),
                ),
            ],
            options={
                "verbose_name": "notification preference",
                "verbose_name_plural": "notification preferences",
                "db_table": "notification_preferences",
            },
        ),
        migrations.RemoveIndex(
            model_name="emailqueue",
            name="email_queue_pending_idx",
        ),
        migrations.AddField(
            model_name="emailqueue",
            name="failed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="gave up at"),
        ),
        migrations.AddField(
            model_name="emailqueue",
            name="from_email",
            field=core.db.TextLineField(blank=True, null=True, verbose_name="sender"),
        ),
        migrations.AddField(
            model_name="emailqueue",
            name="headers",
            field=models.JSONField(blank=True, null=True, verbose_name="extra headers"),
        ),
        migrations.AddField(
            model_name="emailqueue",
            name="html_content",
            field=models.TextField(blank=True, null=True, verbose_name="HTML content"),
        ),
        migrations.AddField(
            model_name="emailqueue",
            name="next_attempt_at",
            field=models.DateTimeField(
                db_default=core.db.DatabaseNow(),
                default=django.utils.timezone.now,
                verbose_name="next attempt at",
            ),
        ),
        migrations.AddField(
            model_name="subscription",
            name="endpoint",
            field=models.TextField(
                blank=True, null=True, unique=True, verbose_name="push service URL"
            ),
        ),
        migrations.AddField(
            model_name="subscription",
            name="user_agent",
            field=core.db.TextLineField(blank=True, null=True, verbose_name="browser"),
        ),
        migrations.AddIndex(
            model_name="emailqueue",
            index=models.Index(
                condition=models.Q(("processed", False)),
                fields=["next_attempt_at", "id"],
                name="email_queue_due_idx",
            ),
        ),
        migrations.AddField(
            model_name="notificationpreference",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notification_preferences",
                to=settings.AUTH_USER_MODEL,
                verbose_name="user",
            ),
        ),
        migrations.AddConstraint(
            model_name="notificationpreference",
            constraint=models.UniqueConstraint(
                fields=("user", "notification_type"), name="notification_preferences_one_per_type"
            ),
        ),
    ]
