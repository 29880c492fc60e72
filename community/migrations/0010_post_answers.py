"""A post's answers to its mission's questions (issue 16): ``post_answers``,
one row per post and question (text, chosen options, the choice's result and
points), and ``post_attachments.answer_id`` for the images given as an answer
(they stay the post's attachments, downloaded and checked as before).

``post_answers`` holds academy data: under Row Level Security from its first
migration, its ``organization_id`` filled from the post by a trigger (and
moved with it), the academy boundary for every command.
"""

import importlib
import uuid

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models

import core.db
from core import rls

rls_tables = importlib.import_module("sqeeze.migrations.0002_row_level_security")
# A post's rows follow it to another academy: its answers too.
POST_CHILDREN = rls_tables.FOLLOWERS["posts"]


class Migration(migrations.Migration):
    dependencies = [
        # The context functions the policies read.
        ("sqeeze", "0004_covering_indexes"),
        ("community", "0009_post_document_function"),
        ("missions", "0005_questions"),
    ]

    operations = [
        migrations.CreateModel(
            name="PostAnswer",
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
                ("text", models.TextField(blank=True, default="", verbose_name="answer")),
                (
                    "choices",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.PositiveSmallIntegerField(),
                        blank=True,
                        default=list,
                        size=None,
                        verbose_name="chosen options",
                    ),
                ),
                ("is_correct", models.BooleanField(blank=True, null=True, verbose_name="correct")),
                (
                    "auto_points",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="points scored"
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
                    "post",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answers",
                        to="community.post",
                        verbose_name="post",
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="answers",
                        to="missions.missionquestion",
                        verbose_name="question",
                    ),
                ),
            ],
            options={
                "verbose_name": "answer",
                "verbose_name_plural": "answers",
                "db_table": "post_answers",
            },
        ),
        migrations.AddField(
            model_name="postattachment",
            name="answer",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="images",
                to="community.postanswer",
                verbose_name="answer",
            ),
        ),
        migrations.AddConstraint(
            model_name="postanswer",
            constraint=models.UniqueConstraint(
                fields=("post", "question"), name="post_answers_once"
            ),
        ),
        migrations.RunSQL(
            rls.organization_column("post_answers", parent="posts", key="post_id"),
            rls.drop_organization_column("post_answers"),
        ),
        migrations.RunSQL(
            rls.follow_parent("posts", {**POST_CHILDREN, "post_answers": "post_id"}),
            rls.follow_parent("posts", POST_CHILDREN),
        ),
        migrations.RunSQL(rls.protect("post_answers"), rls.unprotect("post_answers")),
    ]
