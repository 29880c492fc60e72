"""The seed's journeys, journey_weeks and user_journeys tables.

Additions the seed lacks, each needed by a real system:
- journeys.organization_id (NOT NULL, FK): every journey belongs to one
  academy; all tenant reads filter on it.
- user_journeys_one_per_user: one enrolment per person and journey (an invite
  link clicked twice must not enrol twice).
- journey_weeks_number_uniq (DEFERRABLE INITIALLY DEFERRED): no two "week 3"s in
  a journey, while reordering can still swap numbers inside one transaction.
- journeys_dates_in_order: a journey cannot end before it starts.
"""

import uuid

import django.db.models.constraints
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.db


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("files", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Journey",
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
                ("name", core.db.TextLineField(verbose_name="name")),
                ("date_start", models.DateField(blank=True, null=True, verbose_name="start date")),
                ("date_end", models.DateField(blank=True, null=True, verbose_name="end date")),
                (
                    "image_url",
                    models.TextField(
                        blank=True, null=True, verbose_name="cover image URL (legacy)"
                    ),
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
                    "updated_at",
                    models.DateTimeField(
                        auto_now=True,
                        db_default=core.db.DatabaseNow(),
                        null=True,
                        verbose_name="updated at",
                    ),
                ),
                (
                    "image_file",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="files.file",
                        verbose_name="cover image",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="journeys",
                        to="accounts.organization",
                        verbose_name="organization",
                    ),
                ),
            ],
            options={
                "verbose_name": "journey",
                "verbose_name_plural": "journeys",
                "db_table": "journeys",
                "ordering": ["-date_start", "name"],
            },
        ),
        migrations.CreateModel(
            name="JourneyWeek",
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
                ("name", core.db.TextLineField(verbose_name="name")),
                (
                    "week_number",
                    models.IntegerField(blank=True, null=True, verbose_name="week number"),
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
                    "updated_at",
                    models.DateTimeField(
                        auto_now=True,
                        db_default=core.db.DatabaseNow(),
                        null=True,
                        verbose_name="updated at",
                    ),
                ),
                (
                    "journey",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="weeks",
                        to="journeys.journey",
                        verbose_name="journey",
                    ),
                ),
            ],
            options={
                "verbose_name": "journey week",
                "verbose_name_plural": "journey weeks",
                "db_table": "journey_weeks",
                "ordering": ["journey", "week_number"],
            },
        ),
        migrations.CreateModel(
            name="UserJourney",
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
                (
                    "role_in_journey",
                    core.db.TextLineField(
                        blank=True,
                        db_default="user",
                        default="user",
                        null=True,
                        verbose_name="role in journey",
                    ),
                ),
                (
                    "joined_at",
                    models.DateTimeField(
                        db_default=core.db.DatabaseNow(),
                        editable=False,
                        null=True,
                        verbose_name="created at",
                    ),
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
                    "updated_at",
                    models.DateTimeField(
                        auto_now=True,
                        db_default=core.db.DatabaseNow(),
                        null=True,
                        verbose_name="updated at",
                    ),
                ),
                (
                    "journey",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="journeys.journey",
                        verbose_name="journey",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="journey_memberships",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "enrolment",
                "verbose_name_plural": "enrolments",
                "db_table": "user_journeys",
                "ordering": ["-joined_at"],
            },
        ),
        migrations.AddConstraint(
            model_name="journey",
            constraint=models.CheckConstraint(
                condition=models.Q(("date_end__gte", models.F("date_start"))),
                name="journeys_dates_in_order",
                violation_error_message="The end date cannot be before the start date.",
            ),
        ),
        migrations.AddConstraint(
            model_name="journeyweek",
            constraint=models.UniqueConstraint(
                deferrable=django.db.models.constraints.Deferrable["DEFERRED"],
                fields=("journey", "week_number"),
                name="journey_weeks_number_uniq",
            ),
        ),
        migrations.AddConstraint(
            model_name="userjourney",
            constraint=models.UniqueConstraint(
                fields=("user", "journey"), name="user_journeys_one_per_user"
            ),
        ),
    ]
