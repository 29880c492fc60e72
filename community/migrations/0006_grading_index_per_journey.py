"""The grading queue's index per journey: (journey_id, created_at, id) of the
submissions waiting for grading, instead of (created_at, id) of every pending
post. The queue reads an academy's journeys one by one, each from its own part
of this index, so a page costs some index entries per journey whatever the
academy's size; the old index, one list across all academies, made a page walk
past every other academy's waiting posts and a count read them all. Feed posts
are "pending" too by default; the condition leaves them out."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0005_feed_index_for_every_reader"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="post",
            name="posts_grading_queue_idx",
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(
                condition=models.Q(
                    ("achievement_status", "pending"), ("mission_instance__isnull", False)
                ),
                fields=["journey", "created_at", "id"],
                name="posts_grading_journey_idx",
            ),
        ),
    ]
