"""The seed's missions and journey_mission_instances tables and mission_status enum.

Additions the seed lacks, each needed by a real system:
- missions.organization_id (NOT NULL, FK): mission templates belong to one
  academy; without it every academy would see every other's library (tenant
  scoping; the original's own later policies assumed this column).
- journey_mission_instances.journey_id gets a foreign key: the seed declares
  the column but no constraint, so it could point at nothing.
- missions_points_not_negative and mission_instances_release_before_expiry:
  CHECKs so no writer (form, admin or SQL) stores negative points or a mission
  that closes before it opens.
- mission_inst_journey_rel_idx: the plan tab and the status beat task read a
  journey's instances by release time.
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models

import core.db


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("journeys", "0001_initial"),
    ]

    operations = [
        # The seed's mission_status enum, enforced by the database.
        migrations.RunSQL(
            sql="CREATE TYPE mission_status AS ENUM ('not_started', 'in_progress', 'submitted', 'completed', 'rejected');",
            reverse_sql="DROP TYPE mission_status;",
        ),
        migrations.CreateModel(
            name="Mission",
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
                    "mission_type",
                    core.db.TextLineField(
                        blank=True,
                        choices=[("individual", "Individual"), ("team", "Team")],
                        null=True,
                        verbose_name="type",
                    ),
                ),
                (
                    "points",
                    models.IntegerField(
                        blank=True, db_default=0, default=0, null=True, verbose_name="points"
                    ),
                ),
                (
                    "description",
                    models.TextField(blank=True, null=True, verbose_name="description (Markdown)"),
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
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="missions",
                        to="accounts.organization",
                        verbose_name="organization",
                    ),
                ),
            ],
            options={
                "verbose_name": "mission",
                "verbose_name_plural": "missions",
                "db_table": "missions",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="JourneyMissionInstance",
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
                    "release_date",
                    models.DateTimeField(blank=True, null=True, verbose_name="opens at"),
                ),
                (
                    "expiry_date",
                    models.DateTimeField(blank=True, null=True, verbose_name="closes at"),
                ),
                (
                    "status",
                    core.db.PostgresEnumField(
                        blank=True,
                        choices=[
                            ("not_started", "Not started"),
                            ("in_progress", "In progress"),
                            ("submitted", "Submitted"),
                            ("completed", "Completed"),
                            ("rejected", "Rejected"),
                        ],
                        db_default="not_started",
                        default="not_started",
                        enum_name="mission_status",
                        max_length=32,
                        null=True,
                        verbose_name="status",
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
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mission_instances",
                        to="journeys.journey",
                        verbose_name="journey",
                    ),
                ),
                (
                    "journey_week",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mission_instances",
                        to="journeys.journeyweek",
                        verbose_name="week",
                    ),
                ),
                (
                    "mission",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="instances",
                        to="missions.mission",
                        verbose_name="mission",
                    ),
                ),
            ],
            options={
                "verbose_name": "scheduled mission",
                "verbose_name_plural": "scheduled missions",
                "db_table": "journey_mission_instances",
                "ordering": ["release_date"],
            },
        ),
        migrations.AddConstraint(
            model_name="mission",
            constraint=models.CheckConstraint(
                condition=models.Q(("points__gte", 0)),
                name="missions_points_not_negative",
                violation_error_message="Points cannot be negative.",
            ),
        ),
        migrations.AddIndex(
            model_name="journeymissioninstance",
            index=models.Index(
                fields=["journey", "release_date"], name="mission_inst_journey_rel_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="journeymissioninstance",
            constraint=models.CheckConstraint(
                condition=models.Q(("expiry_date__gt", models.F("release_date"))),
                name="mission_instances_release_before_expiry",
                violation_error_message="A mission must open before it closes.",
            ),
        ),
    ]
