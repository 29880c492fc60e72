"""The seed's user_points and team_points tables.

Additions the seed lacks:
- user_points_one_per_instance / team_points_one_per_instance: never two points
  rows for one profile (or team) and mission instance, even when two teachers
  grade the same post at the same moment.
- *_leaderboard_idx: leaderboards sum points per profile (team) over a
  journey's instances; the covering index answers from the index alone.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.db


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("community", "0001_initial"),
        ("missions", "0001_initial"),
        ("teams", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TeamPoint",
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
                    "total_points",
                    models.IntegerField(
                        blank=True, db_default=0, default=0, null=True, verbose_name="points"
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
                    "mission_instance",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="team_points",
                        to="missions.journeymissioninstance",
                        verbose_name="mission",
                    ),
                ),
                (
                    "post",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="team_point_rows",
                        to="community.post",
                        verbose_name="post",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="points",
                        to="teams.team",
                        verbose_name="team",
                    ),
                ),
            ],
            options={
                "verbose_name": "team points",
                "verbose_name_plural": "team points",
                "db_table": "team_points",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(
                        fields=["mission_instance", "team"],
                        include=("total_points",),
                        name="team_points_leaderboard_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("team", "mission_instance"), name="team_points_one_per_instance"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="UserPoint",
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
                    "total_points",
                    models.IntegerField(
                        blank=True, db_default=0, default=0, null=True, verbose_name="points"
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
                    "mission_instance",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="user_points",
                        to="missions.journeymissioninstance",
                        verbose_name="mission",
                    ),
                ),
                (
                    "post",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="user_points",
                        to="community.post",
                        verbose_name="post",
                    ),
                ),
                (
                    "profile",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="points",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="student",
                    ),
                ),
            ],
            options={
                "verbose_name": "student points",
                "verbose_name_plural": "student points",
                "db_table": "user_points",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(
                        fields=["mission_instance", "profile"],
                        include=("total_points",),
                        name="user_points_leaderboard_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("profile", "mission_instance"), name="user_points_one_per_instance"
                    )
                ],
            },
        ),
    ]
