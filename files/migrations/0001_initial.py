"""The seed's files table, its file_type enum and the active_files / file_stats views.

ActiveFile and FileStat are unmanaged models over the two views, created here
with the seed's own SQL. Note: active_files is "SELECT * FROM files", which
PostgreSQL expands when the view is created; a later migration that adds a
column to files must recreate both views to expose it.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.db


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The seed's file_type enum, enforced by the database.
        migrations.RunSQL(
            sql="CREATE TYPE file_type AS ENUM ('image', 'document', 'video', 'audio', 'other');",
            reverse_sql="DROP TYPE file_type;",
        ),
        migrations.CreateModel(
            name="ActiveFile",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("file_name", core.db.TextLineField(verbose_name="original file name")),
                ("file_path", core.db.TextLineField(verbose_name="stored path")),
                ("file_size", models.BigIntegerField(verbose_name="size (bytes)")),
                ("mime_type", core.db.TextLineField(verbose_name="MIME type")),
                (
                    "file_type",
                    core.db.PostgresEnumField(
                        choices=[
                            ("image", "Image"),
                            ("document", "Document"),
                            ("video", "Video"),
                            ("audio", "Audio"),
                            ("other", "Other"),
                        ],
                        enum_name="file_type",
                        max_length=32,
                        verbose_name="kind",
                    ),
                ),
                (
                    "bucket_name",
                    core.db.TextLineField(
                        db_default="images", default="images", verbose_name="bucket"
                    ),
                ),
                (
                    "is_deleted",
                    models.BooleanField(db_default=False, default=False, verbose_name="deleted"),
                ),
                ("metadata", models.JSONField(blank=True, null=True, verbose_name="metadata")),
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
                    "deleted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="deleted at"),
                ),
            ],
            options={
                "verbose_name": "active file",
                "verbose_name_plural": "active files",
                "db_table": "active_files",
                "ordering": ["-created_at"],
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="FileStat",
            fields=[
                (
                    "file_type",
                    core.db.PostgresEnumField(
                        choices=[
                            ("image", "Image"),
                            ("document", "Document"),
                            ("video", "Video"),
                            ("audio", "Audio"),
                            ("other", "Other"),
                        ],
                        enum_name="file_type",
                        max_length=32,
                        primary_key=True,
                        serialize=False,
                        verbose_name="kind",
                    ),
                ),
                ("bucket_name", core.db.TextLineField(verbose_name="bucket")),
                ("file_count", models.BigIntegerField(verbose_name="files")),
                (
                    "total_size",
                    models.DecimalField(
                        decimal_places=0, max_digits=30, verbose_name="total size (bytes)"
                    ),
                ),
                (
                    "avg_size",
                    models.DecimalField(
                        decimal_places=10, max_digits=40, verbose_name="average size (bytes)"
                    ),
                ),
            ],
            options={
                "verbose_name": "file statistics",
                "verbose_name_plural": "file statistics",
                "db_table": "file_stats",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="File",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("file_name", core.db.TextLineField(verbose_name="original file name")),
                ("file_path", core.db.TextLineField(verbose_name="stored path")),
                ("file_size", models.BigIntegerField(verbose_name="size (bytes)")),
                ("mime_type", core.db.TextLineField(verbose_name="MIME type")),
                (
                    "file_type",
                    core.db.PostgresEnumField(
                        choices=[
                            ("image", "Image"),
                            ("document", "Document"),
                            ("video", "Video"),
                            ("audio", "Audio"),
                            ("other", "Other"),
                        ],
                        enum_name="file_type",
                        max_length=32,
                        verbose_name="kind",
                    ),
                ),
                (
                    "bucket_name",
                    core.db.TextLineField(
                        db_default="images", default="images", verbose_name="bucket"
                    ),
                ),
                (
                    "is_deleted",
                    models.BooleanField(db_default=False, default=False, verbose_name="deleted"),
                ),
                ("metadata", models.JSONField(blank=True, null=True, verbose_name="metadata")),
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
                    "deleted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="deleted at"),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="%(class)s_set",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uploaded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "file",
                "verbose_name_plural": "files",
                "db_table": "files",
                "ordering": ["-created_at"],
            },
        ),
        # The seed's views, verbatim.
        migrations.RunSQL(
            sql=[
                "CREATE VIEW active_files AS SELECT * FROM files WHERE is_deleted = false;",
                """CREATE VIEW file_stats AS
                   SELECT file_type, bucket_name, COUNT(*) AS file_count,
                          SUM(file_size) AS total_size, AVG(file_size) AS avg_size
                   FROM active_files
                   GROUP BY file_type, bucket_name;""",
            ],
            reverse_sql=["DROP VIEW file_stats;", "DROP VIEW active_files;"],
        ),
    ]
