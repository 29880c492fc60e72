"""Addition to the seed: a submission coming, going, changing hands or being
graded raises its journey's class version (journeys' migration 0003 says
why). Edits of the text, likes and views do not."""

from django.db import migrations

from journeys.class_triggers import watch


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0006_grading_index_per_journey"),
        ("journeys", "0003_class_versions"),
    ]

    operations = [
        # A post belongs to its journey and to its mission instance's: both are
        # raised, so the version holds whatever the row says.
        watch(
            "posts",
            ("journey_id", "mission_instance_id"),
            (
                "journey_id",
                "mission_instance_id",
                "user_id",
                "team_id",
                "is_team_submission",
                "achievement_status",
            ),
        ),
    ]
