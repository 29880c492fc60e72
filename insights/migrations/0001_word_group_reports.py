"""Saved insight reports and their word groups (issue 16): ``insight_reports``,
a journey's named view of its class insights (week, mission, question), and
``insight_word_groups``, the groups of words a report adds up, each with a
name and a colour, in order.

Both hold academy data, so they are under Row Level Security from this first
migration (docs/architecture.md, "Tenancy in the database"): a report's
``organization_id`` is filled from its journey by a trigger, a group's from
its report, and both follow the journey if an operator moves it to another
academy; the policies are the academy boundary for every command.
"""

import importlib
import uuid

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models

import core.db
from core import rls

rls_tables = importlib.import_module("sqeeze.migrations.0002_row_level_security")
# A journey's rows follow it to another academy: its reports too.
JOURNEY_CHILDREN = rls_tables.FOLLOWERS["journeys"]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("journeys", "0003_class_versions"),
        ("missions", "0005_questions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # The context functions the policies read.
        ("sqeeze", "0004_covering_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="InsightReport",
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
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                (
                    "journey",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="insight_reports",
                        to="journeys.journey",
                        verbose_name="journey",
                    ),
                ),
                (
                    "mission_instance",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="missions.journeymissioninstance",
                        verbose_name="mission",
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="missions.missionquestion",
                        verbose_name="question",
                    ),
                ),
                (
                    "week",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="journeys.journeyweek",
                        verbose_name="week",
                    ),
                ),
            ],
            options={
                "verbose_name": "insight report",
                "verbose_name_plural": "insight reports",
                "db_table": "insight_reports",
                "ordering": ["journey", "name"],
            },
        ),
        migrations.CreateModel(
            name="InsightWordGroup",
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
                ("name", core.db.TextLineField(verbose_name="name")),
                ("colour", core.db.TextLineField(verbose_name="colour")),
                ("words", models.JSONField(default=list, verbose_name="words")),
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
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="groups",
                        to="insights.insightreport",
                        verbose_name="report",
                    ),
                ),
            ],
            options={
                "verbose_name": "word group",
                "verbose_name_plural": "word groups",
                "db_table": "insight_word_groups",
                "ordering": ["report", "position"],
            },
        ),
        migrations.AddConstraint(
            model_name="insightreport",
            constraint=models.UniqueConstraint(
                models.F("journey"),
                django.db.models.functions.text.Lower("name"),
                name="insight_reports_one_name_per_journey",
            ),
        ),
        migrations.AddConstraint(
            model_name="insightwordgroup",
            constraint=models.UniqueConstraint(
                fields=("report", "position"), name="insight_word_groups_one_per_position"
            ),
        ),
        migrations.AddConstraint(
            model_name="insightwordgroup",
            constraint=models.CheckConstraint(
                condition=models.Q(("colour__regex", "^#[0-9a-f]{6}$")),
                name="insight_word_groups_colour_hex",
            ),
        ),
        migrations.RunSQL(
            rls.organization_column("insight_reports", parent="journeys", key="journey_id"),
            rls.drop_organization_column("insight_reports"),
        ),
        migrations.RunSQL(
            rls.organization_column(
                "insight_word_groups", parent="insight_reports", key="report_id"
            ),
            rls.drop_organization_column("insight_word_groups"),
        ),
        migrations.RunSQL(
            rls.follow_parent("journeys", {**JOURNEY_CHILDREN, "insight_reports": "journey_id"}),
            rls.follow_parent("journeys", JOURNEY_CHILDREN),
        ),
        migrations.RunSQL(
            rls.follow_parent("insight_reports", {"insight_word_groups": "report_id"}),
            rls.drop_follow_parent("insight_reports"),
        ),
        migrations.RunSQL(rls.protect("insight_reports"), rls.unprotect("insight_reports")),
        migrations.RunSQL(rls.protect("insight_word_groups"), rls.unprotect("insight_word_groups")),
    ]
