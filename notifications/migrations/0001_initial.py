"""The seed's notifications, subscriptions and email_queue tables.

Additions the seed lacks:
- notifications_inbox_idx: my notifications newest first, paged by key.
- notifications_unread_idx: the unread badge on every page is one count over
  a small partial index.
- email_queue_pending_idx: the Celery drainer reads unprocessed rows oldest
  first; sent rows leave the index.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.db


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="EmailQueue",
            fields=[
                ("id", models.AutoField(primary_key=True, serialize=False)),
                ("recipient_email", core.db.TextLineField(verbose_name="recipient e-mail")),
                (
                    "recipient_name",
                    core.db.TextLineField(blank=True, null=True, verbose_name="recipient name"),
                ),
                ("subject", core.db.TextLineField(verbose_name="subject")),
                ("content", models.TextField(verbose_name="content")),
                (
                    "content_ref_id",
                    models.UUIDField(blank=True, null=True, verbose_name="about (id)"),
                ),
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
                    "processed",
                    models.BooleanField(
                        blank=True,
                        db_default=False,
                        default=False,
                        null=True,
                        verbose_name="processed",
                    ),
                ),
                (
                    "processed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="processed at"),
                ),
                (
                    "status_code",
                    models.IntegerField(blank=True, null=True, verbose_name="status code"),
                ),
                ("response", models.TextField(blank=True, null=True, verbose_name="response")),
                ("error_message", models.TextField(blank=True, null=True, verbose_name="error")),
                (
                    "retry_count",
                    models.IntegerField(
                        blank=True, db_default=0, default=0, null=True, verbose_name="retries"
                    ),
                ),
            ],
            options={
                "verbose_name": "queued e-mail",
                "verbose_name_plural": "e-mail queue",
                "db_table": "email_queue",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("processed", False)),
                        fields=["created_at", "id"],
                        name="email_queue_pending_idx",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Subscription",
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
                ("notification_json", models.TextField(verbose_name="subscription (JSON)")),
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
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="push_subscriptions",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "push subscription",
                "verbose_name_plural": "push subscriptions",
                "db_table": "subscriptions",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="Notification",
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
                ("type", core.db.TextLineField(verbose_name="type")),
                ("message", models.CharField(verbose_name="message")),
                ("link", models.TextField(blank=True, null=True, verbose_name="link")),
                ("read_at", models.DateTimeField(blank=True, null=True, verbose_name="read at")),
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
                    "notification_json",
                    models.TextField(blank=True, null=True, verbose_name="payload (JSON)"),
                ),
                (
                    "receiver",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="receiver",
                    ),
                ),
            ],
            options={
                "verbose_name": "notification",
                "verbose_name_plural": "notifications",
                "db_table": "notifications",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(
                        models.F("receiver"),
                        models.OrderBy(models.F("created_at"), descending=True),
                        models.OrderBy(models.F("id"), descending=True),
                        name="notifications_inbox_idx",
                    ),
                    models.Index(
                        condition=models.Q(("read_at__isnull", True)),
                        fields=["receiver"],
                        name="notifications_unread_idx",
                    ),
                ],
            },
        ),
    ]
