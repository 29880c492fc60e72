"""The feed's index without the is_hidden condition (posts_feed_idx was partial
on NOT is_hidden): a student's feed reads "NOT is_hidden OR user_id = me" and a
teacher's every post, neither of which a partial index can answer, so at 27,000
posts in a journey PostgreSQL read them all and sorted them (120 ms) instead of
walking 21 entries of the index (1 ms)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0004_grading_and_moderation"),
        ("journeys", "0002_invite_token"),
        ("missions", "0003_mission_reminders"),
        ("teams", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="post",
            name="posts_feed_idx",
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(
                models.F("journey"),
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="posts_journey_newest_idx",
            ),
        ),
    ]
