"""A mission's questions (issue 16): ``mission_questions``, one row per
question in order, with its kind, points, required flag and the rules of its
kind (character limits, options, number of images). A mission without
questions keeps its single free-text form.

The table holds academy data, so it is under Row Level Security from its first
migration (docs/architecture.md, "Tenancy in the database"): its
``organization_id`` is filled from the mission by a trigger, follows the
mission if an operator moves it to another academy, and the policies are the
academy boundary for every command.
"""

import uuid

import django.db.models.constraints
import django.db.models.deletion
from django.db import migrations, models

import core.db
from core import rls


class Migration(migrations.Migration):
    dependencies = [
        ("missions", "0004_class_versions"),
        # The context functions the policies read.
        ("sqeeze", "0004_covering_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="MissionQuestion",
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
                ("position", models.PositiveSmallIntegerField(verbose_name="position")),
                (
                    "kind",
                    core.db.TextLineField(
                        choices=[
                            ("essay", "Essay"),
                            ("multiple_choice", "Multiple choice"),
                            ("image_upload", "Image upload"),
                            ("mixed", "Text and images"),
                        ],
                        verbose_name="type",
                    ),
                ),
                ("text", models.TextField(verbose_name="question")),
                ("points", models.PositiveSmallIntegerField(default=0, verbose_name="points")),
                ("required", models.BooleanField(default=True, verbose_name="required")),
                (
                    "placeholder",
                    core.db.TextLineField(blank=True, default="", verbose_name="placeholder"),
                ),
                (
                    "min_chars",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="minimum characters"
                    ),
                ),
                (
                    "max_chars",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="maximum characters"
                    ),
                ),
                ("options", models.JSONField(blank=True, default=list, verbose_name="options")),
                (
                    "multiple_select",
                    models.BooleanField(
                        default=False, verbose_name="several answers may be chosen"
                    ),
                ),
                (
                    "max_images",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="number of images"
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
                    "mission",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="questions",
                        to="missions.mission",
                        verbose_name="mission",
                    ),
                ),
            ],
            options={
                "verbose_name": "mission question",
                "verbose_name_plural": "mission questions",
                "db_table": "mission_questions",
                "ordering": ["mission", "position"],
                "constraints": [
                    models.UniqueConstraint(
                        deferrable=django.db.models.constraints.Deferrable["DEFERRED"],
                        fields=("mission", "position"),
                        name="mission_questions_one_per_position",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("kind__in", ["essay", "multiple_choice", "image_upload", "mixed"])
                        ),
                        name="mission_questions_kind_known",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("min_chars__isnull", True),
                            ("max_chars__isnull", True),
                            ("min_chars__lte", models.F("max_chars")),
                            _connector="OR",
                        ),
                        name="mission_questions_char_limits_ordered",
                    ),
                ],
            },
        ),
        migrations.RunSQL(
            rls.organization_column("mission_questions", parent="missions", key="mission_id"),
            rls.drop_organization_column("mission_questions"),
        ),
        migrations.RunSQL(
            rls.follow_parent("missions", {"mission_questions": "mission_id"}),
            rls.drop_follow_parent("missions"),
        ),
        migrations.RunSQL(rls.protect("mission_questions"), rls.unprotect("mission_questions")),
    ]
