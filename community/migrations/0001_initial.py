"""The seed's posts, comments and likes tables (posts keep the seed's CHECK on
achievement_status).

Additions the seed lacks:
- likes_one_per_user: one like per person and post, enforced by the database
  (the original checked it only in the browser).
- posts_feed_idx: the journey feed reads visible posts newest first and pages
  by key on (created_at, id); a partial index over visible posts serves it.
- posts_grading_queue_idx: teachers' grading queue reads pending posts oldest
  first; the partial index holds only the pending ones, so it stays small.
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
        ("missions", "0001_initial"),
        ("teams", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Post",
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
                ("title", core.db.TextLineField(verbose_name="title")),
                ("content", models.TextField(blank=True, null=True, verbose_name="content")),
                (
                    "file_url",
                    models.TextField(blank=True, null=True, verbose_name="attachment URL (legacy)"),
                ),
                ("score", models.IntegerField(blank=True, null=True, verbose_name="score")),
                ("view_count", models.IntegerField(db_default=0, default=0, verbose_name="views")),
                (
                    "is_hidden",
                    models.BooleanField(db_default=False, default=False, verbose_name="hidden"),
                ),
                (
                    "is_team_submission",
                    models.BooleanField(
                        blank=True,
                        db_default=False,
                        default=False,
                        null=True,
                        verbose_name="team submission",
                    ),
                ),
                (
                    "achievement_status",
                    core.db.TextLineField(
                        blank=True,
                        choices=[
                            ("pending", "Waiting for grading"),
                            ("achieved", "Achieved"),
                            ("not_achieved", "Not achieved"),
                        ],
                        db_default="pending",
                        default="pending",
                        null=True,
                        verbose_name="achievement",
                    ),
                ),
                (
                    "team_points",
                    models.IntegerField(
                        blank=True, db_default=0, default=0, null=True, verbose_name="team points"
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
                        related_name="posts",
                        to="journeys.journey",
                        verbose_name="journey",
                    ),
                ),
                (
                    "mission_instance",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="posts",
                        to="missions.journeymissioninstance",
                        verbose_name="mission",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="posts",
                        to="teams.team",
                        verbose_name="team",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="posts",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
            ],
            options={
                "verbose_name": "post",
                "verbose_name_plural": "posts",
                "db_table": "posts",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Like",
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
                        related_name="likes",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
                (
                    "post",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="likes",
                        to="community.post",
                        verbose_name="post",
                    ),
                ),
            ],
            options={
                "verbose_name": "like",
                "verbose_name_plural": "likes",
                "db_table": "likes",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="Comment",
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
                ("content", models.TextField(verbose_name="content")),
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
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="comments",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
                (
                    "post",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="comments",
                        to="community.post",
                        verbose_name="post",
                    ),
                ),
            ],
            options={
                "verbose_name": "comment",
                "verbose_name_plural": "comments",
                "db_table": "comments",
                "ordering": ["created_at"],
            },
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(
                models.F("journey"),
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("is_hidden", False)),
                name="posts_feed_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(
                condition=models.Q(("achievement_status", "pending")),
                fields=["created_at", "id"],
                name="posts_grading_queue_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="post",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("achievement_status__in", ["pending", "achieved", "not_achieved"])
                ),
                name="posts_achievement_status_check",
            ),
        ),
        migrations.AddConstraint(
            model_name="like",
            constraint=models.UniqueConstraint(fields=("post", "user"), name="likes_one_per_user"),
        ),
    ]
