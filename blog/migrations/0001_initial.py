"""The seed's blog table. Its id defaults to gen_random_uuid() where the seed says
uuid_generate_v4(): same result, and uuid-ossp is not available everywhere
(the embedded PostgreSQL lacks it).
"""

import uuid

from django.db import migrations, models

import core.db


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Blog",
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
                (
                    "subtitle",
                    core.db.TextLineField(blank=True, null=True, verbose_name="subtitle"),
                ),
                ("content", models.TextField(verbose_name="content (Markdown)")),
                (
                    "created_at",
                    models.DateTimeField(
                        db_default=core.db.DatabaseNow(),
                        editable=False,
                        verbose_name="created at",
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(
                        auto_now=True,
                        db_default=core.db.DatabaseNow(),
                        verbose_name="updated at",
                    ),
                ),
                (
                    "image_url",
                    models.TextField(
                        blank=True,
                        db_default="https://picsum.photos/980/540",
                        default="https://picsum.photos/980/540",
                        null=True,
                        verbose_name="cover image URL",
                    ),
                ),
            ],
            options={
                "verbose_name": "blog post",
                "verbose_name_plural": "blog posts",
                "db_table": "blog",
                "ordering": ["-created_at"],
            },
        ),
    ]
