"""Additions to the seed's ``blog`` table.

``published_at`` (NULL = draft): the seed has no drafts, so every row it holds
was public; operators now write a post, preview it and publish it when it is
ready, or schedule it (a time in the future). Rows that exist when this runs
were public in the original app and stay public: they are published as of
their ``created_at``. New rows start as drafts.

``image_file``: a cover uploaded through the files service (checked, re-encoded,
stored under a generated name), like ``journeys.image_file``; the seed's
``image_url`` stays as the fallback.

The partial index serves the public list, newest first, paged by key on
(published_at, id); drafts are never listed, so they are left out of it.
"""

import django.db.models.deletion
from django.db import migrations, models


def publish_existing_rows(apps, schema_editor):
    Blog = apps.get_model("blog", "Blog")
    Blog.objects.filter(published_at__isnull=True).update(published_at=models.F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0001_initial"),
        ("files", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="blog",
            name="image_file",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="files.file",
                verbose_name="cover image",
            ),
        ),
        migrations.AddField(
            model_name="blog",
            name="published_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Empty: a draft, visible only to operators. A time in the future: the post appears at that time.",
                null=True,
                verbose_name="published at",
            ),
        ),
        migrations.RunPython(publish_existing_rows, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="blog",
            index=models.Index(
                condition=models.Q(("published_at__isnull", False)),
                fields=["-published_at", "-id"],
                name="blog_published_idx",
            ),
        ),
    ]
