"""post_attachments (addition): files attached to posts.

The seed has only posts.file_url (one URL, no owner check). Private files are
served only after asking "may this person see it?", which for an attachment
means: its uploader, members and teachers of the post's journey, admins of
the organization. This table links a files row to its post for that check,
and lets a submission carry several files; one row per post and file.
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models

import core.db


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
        ("files", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="PostAttachment",
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
                    "file",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="post_attachments",
                        to="files.file",
                        verbose_name="file",
                    ),
                ),
                (
                    "post",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="community.post",
                        verbose_name="post",
                    ),
                ),
            ],
            options={
                "verbose_name": "attachment",
                "verbose_name_plural": "attachments",
                "db_table": "post_attachments",
                "ordering": ["created_at"],
                "constraints": [
                    models.UniqueConstraint(fields=("post", "file"), name="post_attachments_once")
                ],
            },
        ),
    ]
