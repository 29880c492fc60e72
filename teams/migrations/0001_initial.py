"""The seed's teams and team_members tables.

Additions the seed lacks:
- team_members_one_per_user: one membership per team and person.
- teams_name_uniq_in_journey: team names are unique inside a journey (the
  original checked this only in the browser).
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.db


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("journeys", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Team",
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
                    "description",
                    models.TextField(blank=True, null=True, verbose_name="description"),
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
                        related_name="teams",
                        to="journeys.journey",
                        verbose_name="journey",
                    ),
                ),
            ],
            options={
                "verbose_name": "team",
                "verbose_name_plural": "teams",
                "db_table": "teams",
                "ordering": ["journey", "name"],
            },
        ),
        migrations.CreateModel(
            name="TeamMember",
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
                    "is_leader",
                    models.BooleanField(
                        blank=True,
                        db_default=False,
                        default=False,
                        null=True,
                        verbose_name="leader",
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
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="members",
                        to="teams.team",
                        verbose_name="team",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="team_memberships",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "team member",
                "verbose_name_plural": "team members",
                "db_table": "team_members",
                "ordering": ["team", "-is_leader", "joined_at"],
            },
        ),
        migrations.AddConstraint(
            model_name="team",
            constraint=models.UniqueConstraint(
                fields=("journey", "name"), name="teams_name_uniq_in_journey"
            ),
        ),
        migrations.AddConstraint(
            model_name="teammember",
            constraint=models.UniqueConstraint(
                fields=("team", "user"), name="team_members_one_per_user"
            ),
        ),
    ]
